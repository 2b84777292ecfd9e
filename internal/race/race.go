//go:build race

package race

import (
	"runtime"
	"unsafe"
)

// Enabled reports whether the race detector is built in.
const Enabled = true

// Release marks the hand-off of the value whose data word is p.
func Release(p unsafe.Pointer) { runtime.RaceReleaseMerge(addr(p)) }

// Acquire marks the receipt of the value whose data word is p.
func Acquire(p unsafe.Pointer) { runtime.RaceAcquire(addr(p)) }

// hash holds the synchronization points.
var hash [128]uint64

// addr returns p's synchronization point.
func addr(p unsafe.Pointer) unsafe.Pointer {
	h := (uint64(uintptr(p)) >> 3) * 0x9e3779b97f4a7c15
	return unsafe.Pointer(&hash[h>>57])
}
