package slab

import "unsafe"

// Bytes returns a zeroed byte slice of length n from the Allocator. Its
// capacity is the size of its class (or, above MaxSmallSize, of its whole
// pages); appending beyond the capacity moves the slice to the Go heap,
// and FreeBytes of that copy panics. Bytes(0) returns nil.
func (a *Allocator) Bytes(n int) []byte {
	switch {
	case n < 0:
		panic("slab: Bytes with negative length")
	case n == 0:
		return nil
	}
	size := uintptr(n)
	capacity := (size + pageSize - 1) &^ (pageSize - 1)
	if size <= maxSmallSize {
		capacity = classes[classOf(size)].size
	}
	b := unsafe.Slice((*byte)(a.Alloc(size)), capacity)
	clear(b)
	return b[:n]
}

// FreeBytes returns a slice that Bytes returned, with its first element
// where Bytes put it (reslicing the end is fine, the start is not).
// FreeBytes of a nil or zero-capacity slice does nothing.
func (a *Allocator) FreeBytes(b []byte) {
	if cap(b) == 0 {
		return
	}
	a.Free(unsafe.Pointer(unsafe.SliceData(b)))
}
