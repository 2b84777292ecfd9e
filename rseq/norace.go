//go:build !race

package rseq

import "unsafe"

func raceRelease(unsafe.Pointer) {}

func raceAcquire(unsafe.Pointer) {}
