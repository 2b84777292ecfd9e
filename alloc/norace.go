//go:build !race

package alloc

import "unsafe"

const raceEnabled = false

func raceDropPut() bool { return false }

func raceRelease(unsafe.Pointer) {}

func raceAcquire(unsafe.Pointer) {}
