package slab

import "golang.org/x/sys/unix"

const (
	// mapFlags: reserve no swap for arenas; pages are committed as they
	// are touched.
	mapFlags = unix.MAP_NORESERVE
	// releaseAdvice frees released pages at once (the resident set falls
	// in the call) and zero-fills them on their next touch, as the Go
	// runtime does.
	releaseAdvice = unix.MADV_DONTNEED
)
