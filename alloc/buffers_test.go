package alloc

import "testing"

func TestBufferClasses(t *testing.T) {
	cases := []struct{ n, class, size int }{
		{0, 0, 64}, {1, 0, 64}, {64, 0, 64}, {65, 1, 128}, {128, 1, 128}, {1000, 4, 1024}, {1 << 20, 14, 1 << 20},
	}
	for _, c := range cases {
		if got := classOf(c.n); got != c.class || MinBuffer<<got != c.size {
			t.Errorf("classOf(%d) = %d (size %d), want %d (size %d)", c.n, got, MinBuffer<<got, c.class, c.size)
		}
	}
	if classFloor(100) != 0 || classFloor(128) != 1 || classFloor(255) != 1 {
		t.Fatal("classFloor rounds wrong")
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
		if got := b.Get(128); cap(got) < 128 || len(got) != 128 {
			t.Fatalf("Get(128): len %d cap %d", len(got), cap(got))
		}
	}
	big := b.Get(DefaultMaxBuffer + 1)
	if len(big) != DefaultMaxBuffer+1 {
		t.Fatalf("Get above Max: len %d", len(big))
	}
	before := b.Stats().Drops
	b.Put(big)              // above Max: dropped
	b.Put(make([]byte, 10)) // below MinBuffer: dropped
	b.Put(nil)              // dropped, never a panic
	if d := b.Stats().Drops - before; d != 3 {
		t.Fatalf("%d drops, want 3", d)
	}
}

func TestBuffersMax(t *testing.T) {
	b := Buffers{Max: 4096}
	b.Put(make([]byte, 8192)) // above Max
	if s := b.Stats(); s.Drops != 1 || s.Cached != 0 {
		t.Fatalf("stats %+v: a buffer above Max was kept", s)
	}
	if got := b.Get(5000); cap(got) != 5000 {
		t.Fatalf("Get above Max: cap %d, want exactly 5000", cap(got))
	}
}

// FuzzBuffers checks, for any request and any capacity put back, that Get
// returns the length asked for with room for it, and Put never panics.
func FuzzBuffers(f *testing.F) {
	f.Add(0, 0)
	f.Add(100, 200)
	f.Add(1<<20, 1<<20+1)
	f.Add(64, 63)
	var b Buffers
	f.Fuzz(func(t *testing.T, n, capacity int) {
		if n < 0 || n > 4<<20 || capacity < 0 || capacity > 4<<20 {
			t.Skip()
		}
		b.Put(make([]byte, 0, capacity))
		got := b.Get(n)
		if len(got) != n || cap(got) < n {
			t.Fatalf("Get(%d): len %d cap %d", n, len(got), cap(got))
		}
		if n <= DefaultMaxBuffer && cap(got) != MinBuffer<<classOf(n) && cap(got) < n {
			t.Fatalf("Get(%d): cap %d is not its class", n, cap(got))
		}
		b.Put(got)
	})
}
