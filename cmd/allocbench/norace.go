//go:build !race

package main

import "unsafe"

// Without the race detector the annotations in race.go cost nothing.

// raceEnabled reports a -race build.
const raceEnabled = false

func raceAcquire(unsafe.Pointer) {}
func raceRelease(unsafe.Pointer) {}
