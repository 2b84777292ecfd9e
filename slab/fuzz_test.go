package slab

import (
	"testing"
	"unsafe"
)

// fuzzSizes are the sizes the fuzzer allocates: small, class boundaries,
// the largest classes and large objects.
var fuzzSizes = []uintptr{1, 8, 9, 24, 64, 100, 128, 129, 1000, 1024, 4096, 5000, 65536, 200000, maxSmallSize, maxSmallSize + 1, 1 << 20}

// liveObject is the model's record of an allocation.
type liveObject struct {
	p    unsafe.Pointer
	size uintptr
	seed uint64
}

// FuzzAllocFree drives random sequences of Alloc, Free, Release and
// Bytes against a model: the live objects, each with its pattern. Every
// allocation must not overlap a live object; every object must keep its
// pattern until it is freed; at the end everything goes home.
func FuzzAllocFree(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add([]byte{0, 0, 0, 0, 4, 0, 4, 0, 6, 1, 1, 5, 2, 7})
	f.Add([]byte{3, 16, 3, 15, 3, 14, 2, 13, 6, 4, 1, 4, 0, 6, 3, 12, 7, 9})
	long := make([]byte, 600)
	for i := range long {
		long[i] = byte(i*7 + i/13)
	}
	f.Add(long)
	f.Fuzz(func(t *testing.T, ops []byte) {
		a, err := New(Options{CacheBytesPerCPU: 64 << 10})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		var live []liveObject
		var seed uint64
		const maxLive, maxOps = 64, 1024 // bound the memory and time of one input
		for i := 0; i+1 < min(len(ops), 2*maxOps); i += 2 {
			op, arg := ops[i]%8, ops[i+1]
			if op <= 3 && len(live) == maxLive {
				op = 4
			}
			switch {
			case op <= 3: // Alloc
				size := fuzzSizes[int(arg)%len(fuzzSizes)]
				seed++
				o := liveObject{p: a.Alloc(size), size: size, seed: seed}
				for _, l := range live {
					if uintptr(o.p) < uintptr(l.p)+l.size && uintptr(l.p) < uintptr(o.p)+size {
						t.Fatalf("Alloc(%d) = %p overlaps the live %d-byte object at %p", size, o.p, l.size, l.p)
					}
				}
				fillPattern(o.p, size, seed)
				live = append(live, o)
			case op <= 5 && len(live) > 0: // Free
				j := int(arg) % len(live)
				o := live[j]
				if !checkPattern(o.p, o.size, o.seed) {
					t.Fatalf("the %d-byte object at %p lost its pattern while live", o.size, o.p)
				}
				a.Free(o.p)
				live = append(live[:j], live[j+1:]...)
			case op == 6: // Release
				a.Release()
			case op == 7: // a byte slice, used and freed at once
				b := a.Bytes(int(arg) * 37)
				for k := range b {
					if b[k] != 0 {
						t.Fatalf("Bytes(%d)[%d] = %#x, want zero", len(b), k, b[k])
					}
					b[k] = 0xee
				}
				a.FreeBytes(b)
			}
		}
		for _, o := range live {
			if !checkPattern(o.p, o.size, o.seed) {
				t.Fatalf("the %d-byte object at %p lost its pattern while live", o.size, o.p)
			}
			a.Free(o.p)
		}
		a.Release()
		assertAllHome(t, a)
	})
}
