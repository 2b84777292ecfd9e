//go:build !unix

package slab

import (
	"sync"
	"unsafe"
)

// Where there is no mmap (Windows, wasm, Plan 9), arenas are plain Go
// byte slices, kept alive in keep until unmapped. A []byte holds no
// pointers, so the garbage collector still never scans the objects; but the
// memory is part of the Go heap (it counts toward GOGC's goal), released
// pages are not given back to the system, and the debug mode cannot
// protect freed spans. The rest of the package works unchanged.

// osPageSize is the granularity of protectPages, which never succeeds here.
const osPageSize = pageSize

var keep struct {
	sync.Mutex
	slices map[unsafe.Pointer][]byte
}

// mapMemory returns size bytes of Go memory, kept alive until unmapped.
func mapMemory(size uintptr) (unsafe.Pointer, error) {
	return mapAligned(size, 8)
}

// mapArena returns size bytes of Go memory at an arenaSize-aligned address.
func mapArena(size uintptr) (unsafe.Pointer, error) {
	return mapAligned(size, arenaSize)
}

func mapAligned(size, align uintptr) (unsafe.Pointer, error) {
	b := make([]byte, size+align)
	p := unsafe.Pointer(&b[0])
	aligned := unsafe.Add(p, (align-uintptr(p)%align)%align)
	keep.Lock()
	defer keep.Unlock()
	if keep.slices == nil {
		keep.slices = make(map[unsafe.Pointer][]byte)
	}
	keep.slices[aligned] = b
	return aligned, nil
}

// unmapArena lets the garbage collector have the arena's slice back.
func unmapArena(p unsafe.Pointer, _ uintptr) {
	keep.Lock()
	defer keep.Unlock()
	delete(keep.slices, p)
}

// releasePages cannot return Go memory to the system; it does nothing.
func releasePages(unsafe.Pointer, uintptr) {}

// protectPages is not available on Go memory.
func protectPages(unsafe.Pointer, uintptr, bool) bool { return false }
