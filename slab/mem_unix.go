//go:build unix

package slab

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The operating system's side of the memory: arenas are anonymous private
// mappings, aligned to arenaSize by over-mapping and trimming. Until a page
// is touched it costs address space only.

// osPageSize is the size of the kernel's pages: madvise and mprotect work
// on whole ones.
var osPageSize = uintptr(unix.Getpagesize())

// mapMemory maps size bytes, readable and writable, anywhere.
func mapMemory(size uintptr) (unsafe.Pointer, error) {
	p, err := unix.MmapPtr(-1, 0, nil, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|mapFlags)
	if err != nil {
		return nil, fmt.Errorf("mmap of %d bytes: %w", size, err)
	}
	return p, nil
}

// mapArena maps size bytes (a multiple of arenaSize), readable and
// writable, at an arenaSize-aligned address.
func mapArena(size uintptr) (unsafe.Pointer, error) {
	p, err := mapMemory(size + arenaSize)
	if err != nil {
		return nil, err
	}
	// Trim to the aligned part: the head before it and the tail after it.
	head := (arenaSize - uintptr(p)%arenaSize) % arenaSize
	if head > 0 {
		_ = unix.MunmapPtr(p, head)
	}
	aligned := unsafe.Add(p, head)
	if tail := arenaSize - head; tail > 0 {
		_ = unix.MunmapPtr(unsafe.Add(aligned, size), tail)
	}
	return aligned, nil
}

// unmapArena returns an arena's address space.
func unmapArena(p unsafe.Pointer, size uintptr) {
	_ = unix.MunmapPtr(p, size)
}

// releasePages gives the physical memory behind [p, p+n) back to the
// system; the range stays mapped, and its next touch finds zeroed pages
// (on Linux; other systems may keep the old contents). Only whole OS pages
// inside the range are released.
func releasePages(p unsafe.Pointer, n uintptr) {
	if b := osPages(p, n); b != nil {
		_ = unix.Madvise(b, releaseAdvice)
	}
}

// protectPages makes [p, p+n) inaccessible, or accessible again. It
// reports false when the range is not made of whole OS pages (a kernel
// with pages larger than the allocator's) or the system refuses.
func protectPages(p unsafe.Pointer, n uintptr, accessible bool) bool {
	if uintptr(p)%osPageSize != 0 || n%osPageSize != 0 {
		return false
	}
	prot := unix.PROT_NONE
	if accessible {
		prot = unix.PROT_READ | unix.PROT_WRITE
	}
	return unix.Mprotect(unsafe.Slice((*byte)(p), n), prot) == nil
}

// osPages returns the whole OS pages inside [p, p+n) as a byte slice over
// that memory, or nil if there are none.
func osPages(p unsafe.Pointer, n uintptr) []byte {
	skip := (osPageSize - uintptr(p)%osPageSize) % osPageSize
	if n <= skip {
		return nil
	}
	n = (n - skip) / osPageSize * osPageSize
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Add(p, skip)), n)
}
