package main

import "math/bits"

// Byte-buffer pools round requests up to a power of two from 16 B to 256 KiB;
// larger buffers are made and dropped, never pooled.
const (
	minBufferShift = 4
	maxBufferShift = 18
	bufferClasses  = maxBufferShift - minBufferShift + 1
)

// classOf returns the size class that holds n bytes, and false if n is
// larger than the largest class.
func classOf(n int) (int, bool) {
	if n <= 1<<minBufferShift {
		return 0, true
	}
	shift := bits.Len(uint(n - 1))
	return shift - minBufferShift, shift <= maxBufferShift
}

// classSize returns the capacity of buffers in class c.
func classSize(c int) int { return 1 << (c + minBufferShift) }
