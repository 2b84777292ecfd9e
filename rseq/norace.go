//go:build !race

package rseq

import "unsafe"

func raceRelease(unsafe.Pointer) {}

func raceAcquire(unsafe.Pointer) {}

// raceEnabled reports whether the race detector is built in.
const raceEnabled = false
