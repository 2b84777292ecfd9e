//go:build race

package rseq

import (
	"runtime"
	"unsafe"
)

// The sections are invisible to the race detector, so EntryStacks tells it
// that a push happens before the pop that returns the same pointer.
func raceRelease(p unsafe.Pointer) { runtime.RaceReleaseMerge(p) }

func raceAcquire(p unsafe.Pointer) { runtime.RaceAcquire(p) }

// raceEnabled reports whether the race detector is built in.
const raceEnabled = true
