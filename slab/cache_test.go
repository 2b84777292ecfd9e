package slab

import (
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"
)

type record struct {
	ID    uint64
	Score float64
	Key   [16]byte
	Next  uintptr // an offset or address kept as a number is fine
	Hits  atomic.Int64
}

type withString struct {
	ID   int
	Name string
}

type nested struct {
	A     int
	Inner struct {
		B   [4]struct{ P *int }
		Ok  [8]byte
		Fn  func()
		Any any
	}
	M  map[int]int
	Ch chan int
	S  []byte
	U  unsafe.Pointer
}

func TestNewCacheRejectsGoPointers(t *testing.T) {
	a := newTest(t, Options{})
	cases := []struct {
		err  error
		want string
	}{
		{errOf(NewCache[withString](a)), "slab: type slab.withString has Go pointers at withString.Name (string)"},
		{errOf(NewCache[*int](a)), "at *int (*int)"},
		{errOf(NewCache[[]byte](a)), "at []uint8 ([]uint8)"},
		{errOf(NewCache[nested](a)), "nested.Inner.B[i].P (*int), nested.Inner.Fn (func()), nested.Inner.Any (interface {}), " +
			"nested.M (map[int]int), nested.Ch (chan int), nested.S ([]uint8), nested.U (unsafe.Pointer)"},
		{errOf(NewCache[atomic.Pointer[int]](a)), "(unsafe.Pointer)"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v, want it to contain %q", c.err, c.want)
		}
	}
}

func errOf[T any](_ *Cache[T], err error) error { return err }

func TestCacheNewIsZeroed(t *testing.T) {
	a := newTest(t, Options{CacheBytesPerCPU: -1}) // LIFO reuse, so New sees the dirty object
	skipIfProtect(t, a)
	c, err := NewCache[record](a)
	if err != nil {
		t.Fatal(err)
	}
	r := c.New()
	r.ID, r.Score, r.Key[3], r.Next = 7, 1.5, 9, 42
	r.Hits.Add(3)
	c.Free(r)
	r2 := c.New()
	if r2 != r {
		t.Fatalf("New after Free = %p, want %p back", r2, r)
	}
	if r2.ID != 0 || r2.Score != 0 || r2.Key != [16]byte{} || r2.Next != 0 || r2.Hits.Load() != 0 {
		t.Errorf("New returned a dirty record: %+v", r2)
	}
	c.Free(r2)
}

func TestCacheSizes(t *testing.T) {
	a := newTest(t, Options{})
	small, _ := NewCache[struct{}](a)
	large, _ := NewCache[[300 << 10]byte](a)
	p, q := small.New(), small.New()
	if p == q {
		t.Error("two zero-size values share an address")
	}
	l := large.New()
	l[len(l)-1] = 1
	small.Free(p)
	small.Free(q)
	large.Free(l)
	if large.Allocator() != a {
		t.Error("Allocator() is not the Allocator")
	}
}

func TestBytes(t *testing.T) {
	a := newTest(t, Options{CacheBytesPerCPU: -1})
	if b := a.Bytes(0); b != nil {
		t.Errorf("Bytes(0) = %v, want nil", b)
	}
	b := a.Bytes(100)
	if len(b) != 100 || cap(b) != 112 {
		t.Errorf("Bytes(100): len %d cap %d, want 100 and 112 (the class)", len(b), cap(b))
	}
	for i := range b[:cap(b)] {
		b[:cap(b)][i] = 0xff
	}
	a.FreeBytes(b[:10]) // reslicing the end is fine
	b = a.Bytes(100)
	for i, x := range b[:cap(b)] {
		if x != 0 {
			t.Fatalf("Bytes reused dirty memory: byte %d is %#x", i, x)
		}
	}
	if msg := mustPanic(t, func() { a.FreeBytes(b[1:]) }); !strings.Contains(msg, "interior pointer") {
		t.Errorf("FreeBytes of a resliced start: %q", msg)
	}
	grown := append(b[:cap(b)], 1) // moves to the Go heap
	if msg := mustPanic(t, func() { a.FreeBytes(grown) }); !strings.Contains(msg, "not allocated by this slab") {
		t.Errorf("FreeBytes of a slice moved by append: %q", msg)
	}
	a.FreeBytes(b)
	big := a.Bytes(1<<20 + 1)
	if cap(big) != 1<<20+pageSize {
		t.Errorf("Bytes(1 MiB + 1): cap %d", cap(big))
	}
	a.FreeBytes(big)
	mustPanic(t, func() { a.Bytes(-1) })
}
