//go:build unix && !linux

package slab

import "golang.org/x/sys/unix"

const (
	mapFlags = 0
	// releaseAdvice lets the system take released pages when it needs
	// them; their contents are undefined afterwards.
	releaseAdvice = unix.MADV_FREE
)
