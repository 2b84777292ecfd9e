package alloc

import (
	"testing"
	"unsafe"
)

// TestCacheOwnsItsCacheLines checks that a cache fills whole cache lines
// and starts on one, so that no other object's writes evict what every Get
// and Put reads (64-bit targets: on 32-bit ones the fields fill other
// sizes, and the allocator may put a header first).
func TestCacheOwnsItsCacheLines(t *testing.T) {
	const cacheLine = 64
	if unsafe.Sizeof(uintptr(0)) == 8 && unsafe.Sizeof(cache{})%cacheLine != 0 {
		t.Fatalf("a cache is %d bytes, not whole cache lines", unsafe.Sizeof(cache{}))
	}
	if unsafe.Sizeof(uintptr(0)) != 8 {
		return
	}
	for range 20 {
		var p Pool
		p.Put(new(int))
		if a := uintptr(unsafe.Pointer(p.c.Load())); a%cacheLine != 0 {
			t.Fatalf("cache at %#x is not on a cache line", a)
		}
	}
}
