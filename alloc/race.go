//go:build race

package alloc

import (
	"math/rand/v2"
	"runtime"
	"unsafe"
)

// The per-CPU sections are invisible to the race detector, so under -race
// the pools annotate each hand-off: a Put happens before the Get that
// returns its value. Like sync.Pool, they also drop a quarter of Puts at
// random, so code that wrongly relies on getting a value back is caught.
const raceEnabled = true

func raceDropPut() bool { return rand.IntN(4) == 0 }

// raceRelease marks a Put of the value whose data word is p.
func raceRelease(p unsafe.Pointer) { runtime.RaceReleaseMerge(raceAddr(p)) }

// raceAcquire marks a Get of the value whose data word is p.
func raceAcquire(p unsafe.Pointer) { runtime.RaceAcquire(raceAddr(p)) }

// raceHash holds the synchronization points. As in sync.Pool, a value's
// own address is not used, for fear of mixing the pool's hand-offs with
// other synchronization on that address (the value may be a mutex); the
// address is hashed to one of these words instead, and Put merges (a word
// may stand for several values).
var raceHash [128]uint64

func raceAddr(p unsafe.Pointer) unsafe.Pointer {
	h := (uint64(uintptr(p)) >> 3) * 0x9e3779b97f4a7c15
	return unsafe.Pointer(&raceHash[h>>57])
}
