package slab

import (
	"testing"
	"unsafe"
)

// sizesToTry are boundary sizes: every class size, one byte either side,
// and some large sizes.
func sizesToTry() []uintptr {
	sizes := []uintptr{0, 1}
	for _, c := range classes {
		sizes = append(sizes, c.size-1, c.size, c.size+1)
	}
	return append(sizes, 1<<20, 3<<20+5)
}

func TestAllocFreeEverySize(t *testing.T) {
	a := newTest(t, Options{})
	for _, size := range sizesToTry() {
		p := a.Alloc(size)
		if p == nil {
			t.Fatalf("Alloc(%d) = nil", size)
		}
		want := uintptr(8)
		switch {
		case size > maxSmallSize:
			want = pageSize
		case size > 0:
			c := classes[classOf(size)].size
			want = c & -c // the largest power of two dividing the class size
		}
		if uintptr(p)%min(want, pageSize) != 0 {
			t.Errorf("Alloc(%d) = %p, not aligned to %d", size, p, want)
		}
		b := unsafe.Slice((*byte)(p), size)
		for i := range b {
			b[i] = byte(i)
		}
		a.Free(p)
	}
}

// TestObjectsDoNotOverlap fills several spans of a few classes, writes a
// pattern into every object and checks it, so objects that overlap (or an
// object handed out twice) show.
func TestObjectsDoNotOverlap(t *testing.T) {
	a := newTest(t, Options{})
	for _, size := range []uintptr{8, 24, 100, 4000, 70000, 300000} {
		n := 3 * int(max(classes[classOf(min(size, maxSmallSize))].objects, 2))
		seen := map[uintptr]bool{}
		objs := make([]unsafe.Pointer, n)
		for i := range objs {
			objs[i] = a.Alloc(size)
			if seen[uintptr(objs[i])] {
				t.Fatalf("size %d: %p handed out twice", size, objs[i])
			}
			seen[uintptr(objs[i])] = true
			fillPattern(objs[i], size, uint64(i))
		}
		for i, p := range objs {
			if !checkPattern(p, size, uint64(i)) {
				t.Fatalf("size %d: object %d at %p was overwritten", size, i, p)
			}
			a.Free(p)
		}
	}
}

// fillPattern writes a pattern derived from seed over the object's words.
func fillPattern(p unsafe.Pointer, size uintptr, seed uint64) {
	w := unsafe.Slice((*uint64)(p), size/8)
	for i := range w {
		w[i] = seed*0x9e3779b97f4a7c15 + uint64(i)
	}
}

func checkPattern(p unsafe.Pointer, size uintptr, seed uint64) bool {
	w := unsafe.Slice((*uint64)(p), size/8)
	for i := range w {
		if w[i] != seed*0x9e3779b97f4a7c15+uint64(i) {
			return false
		}
	}
	return true
}

func TestReuseAfterFree(t *testing.T) {
	a := newTest(t, Options{CacheBytesPerCPU: -1}) // the depot is LIFO and shared: deterministic
	skipIfProtect(t, a)
	p := a.Alloc(64)
	a.Free(p)
	if q := a.Alloc(64); q != p {
		t.Errorf("Alloc after Free = %p, want the freed %p back", q, p)
	}
}

func TestUseAfterClosePanics(t *testing.T) {
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := a.Alloc(32)
	a.Close()
	a.Close() // idempotent
	if msg := mustPanic(t, func() { a.Alloc(32) }); msg != errClosed.Error() {
		t.Errorf("Alloc after Close: %q", msg)
	}
	if msg := mustPanic(t, func() { a.Free(p) }); msg != errClosed.Error() {
		t.Errorf("Free after Close: %q", msg)
	}
	if msg := mustPanic(t, a.Release); msg != errClosed.Error() {
		t.Errorf("Release after Close: %q", msg)
	}
}

func TestCachesOffStillWorks(t *testing.T) {
	a := newTest(t, Options{CacheBytesPerCPU: -1})
	if a.cachedClasses != 0 {
		t.Fatalf("cachedClasses = %d with caches off", a.cachedClasses)
	}
	var objs []unsafe.Pointer
	for i := 0; i < 1000; i++ {
		objs = append(objs, a.Alloc(uintptr(8+i%200)))
	}
	for _, p := range objs {
		a.Free(p)
	}
	if st := a.Stats(); st.InUse != 0 {
		t.Errorf("InUse = %d after freeing everything", st.InUse)
	}
}
