//go:build !linux || !cgo

package rseq

// cgoBinary is false: the Go runtime owns the thread pointer.
const cgoBinary = false

func glibcArea() (offset uintptr, size uint32, present bool) { return 0, 0, false }
