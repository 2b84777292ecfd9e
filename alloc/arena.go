package alloc

import (
	"sync"
	"unsafe"

	"github.com/gorseq/percpu/slab"
)

// An Arena holds pointer-free values for work with one lifetime, such as a
// request: New and MakeSlice carve them from chunks, and one call to Free
// returns them all. Chunks come from a slab.Allocator's per-CPU caches, so
// an arena that needs one chunk costs two restartable sections to create
// and free; the collector never scans arena memory, and never frees it.
//
// The zero Arena is ready to use and takes its chunks from an Allocator
// shared by every arena of the process; set Slab before first use to use
// another (for instance one in slab's debug mode, which makes a use after
// Free fault). An Arena is not safe for concurrent use, and must not be
// copied after first use.
//
// # Memory management
//
// Arena memory is not Go heap memory (see package slab). A user must not:
//
//   - keep or use anything allocated from an arena after its Free: the
//     memory goes back to the slab at once and is handed to its next user;
//   - store Go pointers in arena memory: New and MakeSlice refuse types that
//     hold them (pointers, slices, strings, maps, interfaces, channels,
//     funcs), but a uintptr or unsafe.Pointer conversion gets past that;
//   - append beyond a slice's capacity and expect the result in the arena:
//     append moves it to the Go heap (which is safe, just not arena memory).
//
// Go pointers to arena memory are fine anywhere.
type Arena struct {
	noCopy noCopy

	// Slab is the Allocator chunks come from; nil selects a shared one.
	Slab *slab.Allocator

	chunk unsafe.Pointer // the current chunk; its first word links to the previous one
	off   uintptr        // the first free byte of chunk
	limit uintptr        // chunkSize with a chunk, 0 without
	big   *bigBlock      // blocks too large for a chunk, linked from nodes in the chunks
}

// Chunk geometry. A chunk is one object of a slab size class that the slab
// caches per CPU; an allocation above a quarter of it gets a block of its
// own, so a chunk wastes at most a quarter of itself at its end.
const (
	chunkSize   = 16 << 10
	chunkHeader = unsafe.Sizeof(unsafe.Pointer(nil)) // the link to the previous chunk
	bigSize     = chunkSize / 4
)

// bigBlock records a block allocated on its own. It lives in a chunk.
type bigBlock struct {
	next *bigBlock
	p    unsafe.Pointer
}

var sharedSlab = sync.OnceValue(func() *slab.Allocator {
	a, err := slab.New(slab.Options{})
	if err != nil {
		panic("alloc: the arenas' shared slab.Allocator: " + err.Error())
	}
	return a
})

// New returns a pointer to a new zero T in a. It panics if T holds Go
// pointers, naming the type and where it holds them.
func New[T any](a *Arena) *T {
	var zero T
	checkArenaType[T]()
	if unsafe.Sizeof(zero) == 0 {
		return (*T)(unsafe.Pointer(&zeroSized))
	}
	p := a.bump(unsafe.Sizeof(zero), unsafe.Alignof(zero))
	if p == nil {
		p = a.allocSlow(unsafe.Sizeof(zero), unsafe.Alignof(zero))
	}
	*(*T)(p) = zero
	return (*T)(p)
}

// zeroSized is where New puts every zero-size value, as the runtime does.
var zeroSized [0]uint64

// MakeSlice returns a zeroed slice of length and capacity like make([]T,
// length, capacity), in a. It panics as make does for a negative length or
// a length above the capacity, and as New does for a T that holds Go
// pointers.
func MakeSlice[T any](a *Arena, length, capacity int) []T {
	var zero T
	checkArenaType[T]()
	size := unsafe.Sizeof(zero)
	if length < 0 || length > capacity || size > 0 && uintptr(capacity) > maxAlloc/size {
		panic("alloc: MakeSlice: length or capacity out of range")
	}
	if capacity == 0 || size == 0 {
		return make([]T, length, capacity) // no memory: nothing to place in the arena
	}
	s := unsafe.Slice((*T)(a.alloc(uintptr(capacity)*size, unsafe.Alignof(zero))), capacity)
	clear(s)
	return s[:length]
}

// maxAlloc bounds one allocation, as the Go heap does (1<<47 bytes on
// 64-bit targets, 1<<31 on 32-bit ones).
const maxAlloc = 1 << (31 + 16*(^uintptr(0)>>63))

// alloc returns size bytes (at least one) aligned to align (a power of
// two) in a.
func (a *Arena) alloc(size, align uintptr) unsafe.Pointer {
	if p := a.bump(size, align); p != nil {
		return p
	}
	return a.allocSlow(size, align)
}

// bump is alloc's fast path: the next bytes of the current chunk, or nil
// when it has no room.
func (a *Arena) bump(size, align uintptr) unsafe.Pointer {
	if off := (a.off + align - 1) &^ (align - 1); off+size <= a.limit {
		a.off = off + size
		return unsafe.Add(a.chunk, off)
	}
	return nil
}

func (a *Arena) allocSlow(size, align uintptr) unsafe.Pointer {
	if size > bigSize {
		return a.allocBig(size)
	}
	a.newChunk()
	return a.alloc(size, align)
}

func (a *Arena) source() *slab.Allocator {
	if a.Slab == nil {
		a.Slab = sharedSlab()
	}
	return a.Slab
}

// newChunk starts a chunk, linked to the current one.
func (a *Arena) newChunk() {
	c := a.source().Alloc(chunkSize)
	*(*unsafe.Pointer)(c) = a.chunk
	a.chunk, a.off, a.limit = c, chunkHeader, chunkSize
}

// allocBig allocates a block of its own, recorded by a node in a chunk.
func (a *Arena) allocBig(size uintptr) unsafe.Pointer {
	b := (*bigBlock)(a.alloc(unsafe.Sizeof(bigBlock{}), unsafe.Alignof(bigBlock{})))
	b.p = a.source().Alloc(size)
	b.next, a.big = a.big, b
	return b.p
}

// Free returns everything allocated from a to the slab at once. The arena
// is empty afterwards, and may be used again.
func (a *Arena) Free() {
	for b := a.big; b != nil; b = b.next {
		a.Slab.Free(b.p)
	}
	for c := a.chunk; c != nil; {
		prev := *(*unsafe.Pointer)(c)
		a.Slab.Free(c)
		c = prev
	}
	a.chunk, a.off, a.limit, a.big = nil, 0, 0, nil
}
