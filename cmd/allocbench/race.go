//go:build race

package main

import (
	"runtime"
	"unsafe"
)

// The race detector cannot see that pinning a goroutine to its P makes it
// the only one touching that P's data. The per-P pool tells it so, treating
// the pin as a lock on the P's stack: acquire after pinning, release before
// unpinning. A record's hand-off from Put to Get follows from that.

// raceEnabled reports a -race build.
const raceEnabled = true

func raceAcquire(addr unsafe.Pointer) { runtime.RaceAcquire(addr) }
func raceRelease(addr unsafe.Pointer) { runtime.RaceRelease(addr) }
