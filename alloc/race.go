//go:build race

package alloc

import (
	"math/rand/v2"
	"runtime"
	"unsafe"
)

// Under the race detector the per-CPU sections are invisible, so the pools
// annotate hand-offs: a Put happens before the Get that returns its value.
// Like sync.Pool, they also drop a quarter of Puts at random, so code that
// wrongly relies on getting a value back is caught.
const raceEnabled = true

func raceDropPut() bool { return rand.IntN(4) == 0 }

func raceRelease(p unsafe.Pointer) { runtime.RaceRelease(p) }

func raceAcquire(p unsafe.Pointer) { runtime.RaceAcquire(p) }
