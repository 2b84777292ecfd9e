package slab

import (
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// TestNearTablesAgreeWithThePageMap checks that an Allocator's near tables
// give the page map's answer for every address they answer for at all, and
// that they answer for its first arena; a large object spanning more slots
// than they hold makes some slots go to the page map, and both kinds free
// cleanly.
func TestNearTablesAgreeWithThePageMap(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" || runtime.GOOS == "plan9" {
		t.Skip("arenas are Go memory here: a 1 GiB large object would be resident")
	}
	a := newTest(t, Options{})
	other := newTest(t, Options{})
	small := a.Alloc(64)
	// More slots than the cache holds, so some must collide.
	bigSize := uintptr(nearSlots+1) * arenaSize
	big := a.Alloc(bigSize)
	foreign := other.Alloc(64)
	goHeap := new([64]byte)

	check := func(what string, addr uintptr) (cached bool) {
		t.Helper()
		want := pageEntryOf(addr)
		got := a.heap.near.entry(addr)
		if got != 0 && got != want {
			t.Fatalf("%s %#x: near entry %#x, page map %#x", what, addr, got, want)
		}
		return got != 0
	}
	if !check("small object", uintptr(small)) {
		t.Errorf("the near tables do not hold the first arena's slot")
	}
	var cached, slots int
	for off := uintptr(0); off < bigSize; off += arenaSize / 2 {
		slots++
		if check("large object page", uintptr(big)+off) {
			cached++
		}
	}
	if cached == 0 || cached == slots {
		t.Errorf("near tables held %d of %d probes into a %d-slot object; want some, not all", cached, slots, nearSlots+1)
	}
	if check("another Allocator's object", uintptr(foreign)) {
		t.Errorf("near tables answer for another Allocator's slot")
	}
	if check("Go heap", uintptr(unsafe.Pointer(goHeap))) {
		t.Errorf("near tables answer for the Go heap")
	}
	if check("nil", 0) {
		t.Errorf("near tables answer for nil")
	}

	// Every cached table is the page map's table of its slot.
	for i := range a.heap.near {
		e := &a.heap.near[i]
		key := e.key.Load()
		if key == 0 {
			continue
		}
		base := (key - 1) << arenaShift
		if want := pageMap.l1[l1Index(base)].Load()[(base>>arenaShift)%(1<<pageMapL2Bit)].Load(); e.table.Load() != want {
			t.Errorf("near table %d holds slot %#x with table %p; the page map has %p", i, key-1, e.table.Load(), want)
		}
	}

	// The entry carries the span's class.
	for _, p := range []unsafe.Pointer{small, big, foreign} {
		e := pageEntryOf(uintptr(p))
		s := spanOf(uintptr(p))
		if uintptr(unsafe.Pointer(s))%spanAlign != 0 {
			t.Errorf("span struct at %p is not %d-byte aligned", s, spanAlign)
		}
		if entryClass(e) != s.class || entrySpan(e) != s {
			t.Errorf("entry %#x: span %p class %d, want %p class %d", e, entrySpan(e), entryClass(e), s, s.class)
		}
	}

	a.Free(small)
	a.Free(big)
	other.Free(foreign)
	if msg := mustPanic(t, func() { a.Free(other.Alloc(64)) }); !strings.Contains(msg, "another Allocator") {
		t.Errorf("Free of another Allocator's object panicked with %q", msg)
	}

	a.Close()
	for i := range a.heap.near {
		if a.heap.near[i].key.Load() != 0 {
			t.Fatalf("near table %d still holds slot %#x after Close", i, a.heap.near[i].key.Load())
		}
	}
}
