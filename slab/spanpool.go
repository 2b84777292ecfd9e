package slab

import (
	"fmt"
	"sync"
	"unsafe"
)

// The span pool keeps span structs outside the Go heap, in chunks mapped
// from the system and never returned, shared by every Allocator. A span of
// 8 KiB costs about 400 bytes of such metadata (5%; less for larger spans),
// and the garbage collector never sees any of it: with a slab holding
// millions of objects, a collection has nothing more to do than without.
var spanPool struct {
	mu   sync.Mutex
	free *span // guarded by mu; linked through next
}

// spanChunk is how much metadata memory the pool maps at once.
const spanChunk = 256 << 10

// allocSpanStruct returns a zeroed span struct.
func allocSpanStruct() (*span, error) {
	spanPool.mu.Lock()
	defer spanPool.mu.Unlock()
	if spanPool.free == nil {
		mem, err := mapMemory(spanChunk)
		if err != nil {
			return nil, fmt.Errorf("span metadata: %w", err)
		}
		// Every span struct starts on a spanAlign boundary: page entries
		// keep the class in the low bits of its address.
		size := (unsafe.Sizeof(span{}) + spanAlign - 1) &^ (spanAlign - 1)
		start := (spanAlign - uintptr(mem)%spanAlign) % spanAlign
		for off := start; off+size <= spanChunk; off += size {
			s := (*span)(unsafe.Add(mem, off))
			s.next, spanPool.free = spanPool.free, s
		}
	}
	s := spanPool.free
	spanPool.free, s.next = s.next, nil
	return s, nil
}

// freeSpanStruct recycles a span nothing refers to any more (the page map
// no longer leads to it).
func freeSpanStruct(s *span) {
	spanPool.mu.Lock()
	defer spanPool.mu.Unlock()
	*s = span{}
	s.next, spanPool.free = spanPool.free, s
}
