package alloc

import (
	"runtime"
	"testing"
	"unsafe"
)

func TestBufferClasses(t *testing.T) {
	cases := []struct{ n, class int }{
		{0, 0}, {1, 0}, {64, 0}, {65, 1}, {128, 1}, {129, 2}, {1000, 4}, {1024, 4}, {1 << 20, 14},
	}
	for _, c := range cases {
		if got := classOf(c.n); got != c.class {
			t.Errorf("classOf(%d) = %d (size %d), want %d (size %d)", c.n, got, classSize(got), c.class, classSize(c.class))
		}
	}
	floors := []struct{ capacity, class int }{{63, -1}, {64, 0}, {100, 0}, {128, 1}, {255, 1}, {256, 2}, {1<<20 + 1, 14}}
	for _, f := range floors {
		if got := classFloor(f.capacity); got != f.class {
			t.Errorf("classFloor(%d) = %d, want %d", f.capacity, got, f.class)
		}
	}
}

func TestBuffersGetPut(t *testing.T) {
	var b Buffers
	buf := b.Get(100)
	if len(buf) != 100 || cap(buf) != 128 {
		t.Fatalf("Get(100): len %d cap %d, want 100 and 128", len(buf), cap(buf))
	}
	b.Put(buf)
	b.Put(make([]byte, 10, 200)) // not a class size: filed under 128
	for i := 0; i < 4; i++ {
		if got := b.Get(128); len(got) != 128 || cap(got) != 128 {
			t.Fatalf("Get(128): len %d cap %d, want 128 and 128", len(got), cap(got))
		}
	}
	if got := b.Get(0); len(got) != 0 || cap(got) != MinBuffer {
		t.Fatalf("Get(0): len %d cap %d, want 0 and %d", len(got), cap(got), MinBuffer)
	}
}

func TestBuffersDropsWhatHasNoClass(t *testing.T) {
	var b Buffers
	big := b.Get(DefaultMaxBuffer + 1)
	if len(big) != DefaultMaxBuffer+1 || cap(big) != DefaultMaxBuffer+1 {
		t.Fatalf("Get above Max: len %d cap %d, want both %d", len(big), cap(big), DefaultMaxBuffer+1)
	}
	before := b.Stats().Drops
	b.Put(big)              // above Max: dropped
	b.Put(make([]byte, 10)) // below MinBuffer: dropped
	b.Put(nil)              // nothing at all: ignored, never a panic
	if d := b.Stats().Drops - before; d != 2 {
		t.Fatalf("%d drops, want 2", d)
	}
	if s := b.Stats(); s.Cached != 0 {
		t.Fatalf("stats %+v: a buffer without a class was kept", s)
	}
}

func TestBuffersMax(t *testing.T) {
	b := Buffers{Max: 5000} // the largest class is 4096
	b.Put(make([]byte, 8192))
	for b.Stats().Cached == 0 { // race builds drop some Puts
		b.Put(make([]byte, 4097)) // filed under 4096
	}
	if s := b.Stats(); s.Drops != 1 || s.Cached != 1 {
		t.Fatalf("stats %+v, want one drop (8192) and one kept (4097 as 4096)", s)
	}
	for _, n := range []int{4500, 6000} { // above the largest class
		if got := b.Get(n); len(got) != n || cap(got) != n {
			t.Fatalf("Get(%d): len %d cap %d, want exactly %d", n, len(got), cap(got), n)
		}
	}
}

// TestBuffersLargeClassesKeepFew: the byte bounds hold for big classes.
func TestBuffersLargeClassesKeepFew(t *testing.T) {
	var b Buffers
	for range 100 {
		b.Put(make([]byte, 1<<20))
	}
	// One per CPU (or fallback shard) and four in the depot.
	if s := b.Stats(); s.Cached > int64(2*runtime.NumCPU()+depotBytes>>20) || s.Drops == 0 {
		t.Fatalf("stats %+v after 100 Puts of one MiB", s)
	}
}

func TestBuffersReuse(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose")
	}
	var b Buffers
	for range 1000 {
		b.Put(b.Get(3000))
	}
	if s := b.Stats(); s.News > 10 {
		t.Fatalf("steady Get+Put of one size: stats %+v, want few News", s)
	}
}

// FuzzBuffers: for any request and any capacity put back, Get returns the
// length asked for, in the capacity of its class (exactly n above Max); a
// buffer handed out never overlaps another one handed out; Put never
// panics.
func FuzzBuffers(f *testing.F) {
	f.Add(0, 0, 0)
	f.Add(100, 200, 50)
	f.Add(1<<20, 1<<20+1, 1<<19)
	f.Add(64, 63, 65)
	f.Add(5000, 4097, 4096)
	b := Buffers{Max: 1 << 16}
	f.Fuzz(func(t *testing.T, n, capacity, m int) {
		if n < 0 || n > 1<<18 || capacity < 0 || capacity > 1<<18 || m < 0 || m > 1<<18 {
			t.Skip()
		}
		b.Put(make([]byte, 0, capacity))
		x, y := b.Get(n), b.Get(m)
		for _, c := range []struct {
			buf []byte
			n   int
		}{{x, n}, {y, m}} {
			want := c.n
			if c.n <= 1<<16 { // the largest class is Max
				want = classSize(classOf(c.n))
			}
			if len(c.buf) != c.n || cap(c.buf) != want {
				t.Fatalf("Get(%d): len %d cap %d, want cap %d", c.n, len(c.buf), cap(c.buf), want)
			}
		}
		if overlap(x, y) {
			t.Fatalf("Get(%d) and Get(%d) returned overlapping buffers", n, m)
		}
		b.Put(x)
		b.Put(y)
	})
}

func overlap(a, b []byte) bool {
	if cap(a) == 0 || cap(b) == 0 {
		return false
	}
	a0, b0 := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a0 < b0+uintptr(cap(b)) && b0 < a0+uintptr(cap(a))
}
