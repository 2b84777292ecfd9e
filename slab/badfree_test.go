package slab

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

func TestFreeNilIsNoOp(t *testing.T) {
	a := newTest(t, Options{})
	a.Free(nil)
	a.FreeBytes(nil)
	c, err := NewCache[int64](a)
	if err != nil {
		t.Fatal(err)
	}
	c.Free(nil)
}

// TestBadFreePanicsAndCorruptsNothing frees pointers the Allocator did not
// hand out, and checks the message and that the Allocator's state is what
// it was.
func TestBadFreePanicsAndCorruptsNothing(t *testing.T) {
	a := newTest(t, Options{})
	other := newTest(t, Options{})
	obj := a.Alloc(48)
	big := a.Alloc(1 << 20)
	tail := spanOf(uintptr(a.Alloc(24))) // 341 objects of 24 bytes leave 8 bytes at the end
	goHeap := new([64]byte)
	freed := a.Alloc(1 << 20)
	a.Free(freed) // a large object's span is gone at once (debug mode: kept, to name the double free)
	freedWant := "not allocated by this slab"
	if a.debug != nil {
		freedWant = "double free of large object"
	}
	cases := []struct {
		name string
		p    unsafe.Pointer
		want string
	}{
		{"Go heap", unsafe.Pointer(goHeap), fmt.Sprintf("slab: Free of pointer %p not allocated by this slab", goHeap)},
		{"global variable", unsafe.Pointer(&aGlobal), "not allocated by this slab"},
		{"other Allocator", other.Alloc(48), "not allocated by this slab (it belongs to another Allocator)"},
		{"interior", unsafe.Add(obj, 8), fmt.Sprintf("slab: Free of interior pointer %p (object starts at %p)", unsafe.Add(obj, 8), obj)},
		{"interior large", unsafe.Add(big, 4096), fmt.Sprintf("slab: Free of interior pointer %p (object starts at %p)", unsafe.Add(big, 4096), big)},
		{"span tail", pointerAt(tail.base + 341*24), "(it lies in the unused tail of a span)"},
		{"freed large", freed, freedWant},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := a.Stats()
			msg := mustPanic(t, func() { a.Free(c.p) })
			if !strings.Contains(msg, c.want) {
				t.Errorf("panic %q, want it to contain %q", msg, c.want)
			}
			if after := a.Stats(); !reflect.DeepEqual(comparable(before), comparable(after)) {
				t.Errorf("state changed:\nbefore %+v\nafter  %+v", comparable(before), comparable(after))
			}
		})
	}
	a.Free(obj) // the Allocator still works
	a.Free(big)
}

var aGlobal int

// comparable drops what may change without any operation (the CPU hint).
func comparable(s Stats) Stats {
	s.CPUs = nil
	return s
}
