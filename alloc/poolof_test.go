package alloc

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// roundTrip puts v into a fresh pool and checks that what comes back is v
// (or, when the value moved to another CPU meanwhile, New's marker).
func roundTrip[T any](t *testing.T, v T, same func(a, b T) bool) {
	t.Helper()
	var p PoolOf[T]
	p.Put(v)
	for try := 0; try < 1000; try++ {
		got := p.Get()
		if same(got, v) {
			return
		}
		var zero T
		if !same(got, zero) {
			t.Fatalf("PoolOf[%T] returned %v, which was never put", v, got)
		}
		p.Put(v) // it was on another CPU; try again from here
	}
	t.Fatalf("PoolOf[%T] never returned the value put", v)
}

func TestPoolOfShapes(t *testing.T) {
	x := 7
	roundTrip(t, &x, func(a, b *int) bool { return a == b })
	buf := make([]byte, 5, 64)
	roundTrip(t, buf, func(a, b []byte) bool {
		return len(a) == len(b) && cap(a) == cap(b) && (cap(a) == 0 || &a[:1][0] == &b[:1][0])
	})
	roundTrip(t, "hello", func(a, b string) bool { return a == b })
	m := map[string]int{"a": 1}
	roundTrip(t, m, func(a, b map[string]int) bool { return fmt.Sprint(a) == fmt.Sprint(b) && len(a) == len(b) })
	var r io.Reader = bytes.NewReader([]byte("x"))
	roundTrip(t, r, func(a, b io.Reader) bool { return a == b })
	type rec struct{ A, B int64 }
	roundTrip(t, rec{1, 2}, func(a, b rec) bool { return a == b })
}

func TestPoolOfShapeChoice(t *testing.T) {
	cases := []struct {
		got, want shape
	}{
		{shapeOf[*int](), shapePointer},
		{shapeOf[map[int]int](), shapePointer},
		{shapeOf[chan int](), shapePointer},
		{shapeOf[func()](), shapePointer},
		{shapeOf[[]byte](), shapeSlice},
		{shapeOf[string](), shapeString},
		{shapeOf[any](), shapeIface},
		{shapeOf[io.Reader](), shapeIface},
		{shapeOf[[4]int](), shapeBoxed},
		{shapeOf[struct{ p *int }](), shapeBoxed},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: shape %d, want %d", i, c.got, c.want)
		}
	}
}

// TestPoolOfNoAllocs: Put and Get of pointers and []byte allocate nothing
// in steady state (sync.Pool boxes a []byte on every Put: SA6002).
func TestPoolOfNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop Puts, so New allocates")
	}
	ptrs := PoolOf[*[64]byte]{New: func() *[64]byte { return new([64]byte) }}
	slices := PoolOf[[]byte]{New: func() []byte { return make([]byte, 64) }}
	ptrs.Put(ptrs.Get())
	slices.Put(slices.Get())
	if a := testing.AllocsPerRun(1000, func() { ptrs.Put(ptrs.Get()) }); a > 0.01 {
		t.Errorf("PoolOf[*T] Get+Put: %v allocations per run", a)
	}
	if a := testing.AllocsPerRun(1000, func() { slices.Put(slices.Get()) }); a > 0.01 {
		t.Errorf("PoolOf[[]byte] Get+Put: %v allocations per run", a)
	}
}

func TestPoolOfZeroWithoutNew(t *testing.T) {
	var p PoolOf[[]byte]
	if v := p.Get(); v != nil {
		t.Fatalf("Get = %v, want nil", v)
	}
	p.Put(nil) // not cached: no data pointer
	if s := p.Stats(); s.Cached != 0 {
		t.Fatalf("a nil slice was cached: %+v", s)
	}
}
