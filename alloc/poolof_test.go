package alloc

import (
	"bytes"
	"io"
	"reflect"
	"runtime"
	"runtime/debug"
	"testing"
	"unsafe"
)

// roundTrip puts v into a fresh pool until Get returns it (the goroutine
// may move to another CPU in between), and checks that Get returns nothing
// else but the zero value.
func roundTrip[T any](t *testing.T, v T, same func(a, b T) bool) {
	t.Helper()
	var p PoolOf[T]
	for try := 0; try < 1000; try++ {
		p.Put(v)
		got := p.Get()
		if same(got, v) {
			return
		}
		var zero T
		if !same(got, zero) {
			t.Fatalf("PoolOf[%T].Get returned %v, which was never put", v, got)
		}
		runtime.Gosched()
	}
	t.Fatalf("PoolOf[%T] never returned the value put", v)
}

func TestPoolOfShapes(t *testing.T) {
	x := 7
	roundTrip(t, &x, func(a, b *int) bool { return a == b })
	buf := make([]byte, 5, 64)
	roundTrip(t, buf, func(a, b []byte) bool {
		return len(a) == len(b) && cap(a) == cap(b) && unsafe.SliceData(a) == unsafe.SliceData(b)
	})
	roundTrip(t, "hello", func(a, b string) bool { return a == b })
	m := map[string]int{"a": 1}
	roundTrip(t, m, func(a, b map[string]int) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	})
	var r io.Reader = bytes.NewReader([]byte("x"))
	roundTrip(t, r, func(a, b io.Reader) bool { return a == b })
	roundTrip(t, any(3.5), func(a, b any) bool { return a == b })
	roundTrip(t, int64(-5), func(a, b int64) bool { return a == b })
	type pair struct {
		A int64
		B int32
	}
	roundTrip(t, pair{1, 2}, func(a, b pair) bool { return a == b })
	type wrapped struct{ p *int }
	roundTrip(t, wrapped{&x}, func(a, b wrapped) bool { return a == b })
	type rec struct {
		Name string
		N    [4]int
	}
	roundTrip(t, rec{"r", [4]int{1, 2, 3, 4}}, func(a, b rec) bool { return a == b })
}

func TestPoolOfShapeChoice(t *testing.T) {
	type (
		onePointer struct {
			_ struct{}
			p *int
		}
		twoWords  struct{ a, b uint } // words: 16 bytes, or 8 on 32-bit targets
		small     struct{ a, b int16 }
		withPtr   struct{ a, b *int }
		threeWord [3]int64
	)
	cases := []struct {
		t    reflect.Type
		want shape
	}{
		{reflect.TypeFor[*int](), shapePointer},
		{reflect.TypeFor[unsafe.Pointer](), shapePointer},
		{reflect.TypeFor[map[int]int](), shapePointer},
		{reflect.TypeFor[chan int](), shapePointer},
		{reflect.TypeFor[func()](), shapePointer},
		{reflect.TypeFor[onePointer](), shapePointer},
		{reflect.TypeFor[[1]*int](), shapePointer},
		{reflect.TypeFor[[]byte](), shapeSlice},
		{reflect.TypeFor[string](), shapeString},
		{reflect.TypeFor[any](), shapeIface},
		{reflect.TypeFor[io.Reader](), shapeIface},
		{reflect.TypeFor[int](), shapeInline},
		{reflect.TypeFor[twoWords](), shapeInline},
		{reflect.TypeFor[small](), shapeInline},
		{reflect.TypeFor[struct{}](), shapeInline},
		{reflect.TypeFor[withPtr](), shapeBoxed},
		{reflect.TypeFor[threeWord](), shapeBoxed},
		{reflect.TypeFor[[1]string](), shapeBoxed},
	}
	for _, c := range cases {
		if got := shapeOf(c.t); got != c.want {
			t.Errorf("shapeOf(%v) = %v, want %v", c.t, got, c.want)
		}
	}
}

// TestPoolOfNoAllocs: Get+Put of pointers, slices, inline values and
// (once boxes are recycled) boxed values allocates nothing in steady state;
// sync.Pool boxes a []byte on every Put (SA6002).
func TestPoolOfNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop Puts, so New allocates")
	}
	type record struct {
		name string
		n    [4]int
	}
	ptrs := PoolOf[*[64]byte]{New: func() *[64]byte { return new([64]byte) }}
	slices := PoolOf[[]byte]{New: func() []byte { return make([]byte, 64) }}
	ints := PoolOf[int64]{New: func() int64 { return 1 }}
	records := PoolOf[record]{New: func() record { return record{name: "r"} }}
	for name, pair := range map[string]func(){
		"pointer": func() { ptrs.Put(ptrs.Get()) },
		"slice":   func() { slices.Put(slices.Get()) },
		"inline":  func() { ints.Put(ints.Get()) },
		"boxed":   func() { records.Put(records.Get()) },
	} {
		pair() // warm up: the first Put of a boxed value makes its box
		if a := testing.AllocsPerRun(1000, pair); a > 0.01 {
			t.Errorf("PoolOf[%s] Get+Put: %v allocations per run", name, a)
		}
	}
}

// TestPoolOfBoxesKeepUpWithBursts: in bursts of Gets then Puts of a boxed
// shape on one CPU, every Get's box is kept for a later Put, so once the
// stacks have grown a burst allocates nothing; a stack of boxes that stayed
// at its starting size would drop all but a few, and the Puts would box
// anew.
func TestPoolOfBoxesKeepUpWithBursts(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop Puts, so New allocates")
	}
	defer pinToOneCPU(t)()
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no shrinking between rounds
	type record struct {
		name string
		n    [4]int
	}
	const burst = 48
	p := PoolOf[record]{New: func() record { return record{name: "r"} }}
	held := make([]record, burst)
	round := func() {
		for i := range held {
			held[i] = p.Get()
		}
		for _, r := range held {
			p.Put(r)
		}
	}
	for range 20 {
		round()
	}
	if a := testing.AllocsPerRun(20, round); a > 0 {
		t.Errorf("a burst of %d boxed Gets and Puts made %v allocations", burst, a)
	}
}

func TestPoolOfZeroWithoutNew(t *testing.T) {
	var p PoolOf[[]byte]
	if v := p.Get(); v != nil {
		t.Fatalf("Get = %v, want nil", v)
	}
	p.Put(nil) // not kept: no data pointer
	if s := p.Stats(); s.Cached != 0 {
		t.Fatalf("a nil slice was kept: %+v", s)
	}
}

// TestPoolOfHoldsNoReferenceAfterGet is TestPoolHoldsNoReferenceAfterGet
// for the boxed shape, whose boxes are recycled: a box must not keep the
// value it handed out.
func TestPoolOfHoldsNoReferenceAfterGet(t *testing.T) {
	type boxed struct {
		v *[64]byte
		n int
	}
	const n = 100
	var p PoolOf[boxed]
	tr := newTracked()
	for i := 0; i < n; i++ {
		p.Put(boxed{tr.value(i), i})
	}
	taken := map[int]bool{}
	for i := 0; i < 4*n; i++ {
		if b := p.Get(); b.v != nil {
			taken[b.n] = true
		}
	}
	if len(taken) == 0 {
		t.Fatal("Get returned none of the values put")
	}
	busy := func() { p.Put(boxed{n: -1, v: new([64]byte)}); p.Get() }
	if missing := tr.await(t, taken, busy); len(missing) > 0 {
		t.Fatalf("%d of %d values taken out with Get were never freed", len(missing), len(taken))
	}
}

// TestPoolOfPutKeepsValuesOnTheHeap: what Put is given, the pool keeps, so
// the compiler must put it on the heap even though the section Put calls
// is declared noescape (Put's never-made store says so): a value made
// only to be put is allocated, and one put from a frame that is gone, its
// stack then written over and collected, comes back intact.
func TestPoolOfPutKeepsValuesOnTheHeap(t *testing.T) {
	var ptrs PoolOf[*[64]byte]
	var slices PoolOf[[]byte]
	var strs PoolOf[string]
	for name, put := range map[string]func(){
		"pointer": func() { ptrs.Put(new([64]byte)) },
		"slice":   func() { slices.Put(make([]byte, 64)) },
		"string":  func() { strs.Put(string(make([]byte, 64))) },
	} {
		if a := testing.AllocsPerRun(100, put); a < 1 {
			t.Errorf("PoolOf[%s].Put of a new value: %v allocations per run, want it on the heap", name, a)
		}
	}

	var p PoolOf[*[64]byte]
	var s PoolOf[[]byte]
	const n = 8
	runtime.LockOSThread() // one CPU's stack, mostly, so that Get finds them
	defer runtime.UnlockOSThread()
	for i := 1; i <= n; i++ {
		putFromFrame(&p, &s, i)
	}
	scribble(64)
	runtime.GC()
	for i := 0; i < n; i++ {
		got := [][]byte{s.Get()} // nil where the pool had none (a race build drops Puts)
		if v := p.Get(); v != nil {
			got = append(got, v[:])
		}
		for _, c := range got {
			for _, x := range c {
				if x != c[0] || x < 1 || x > n {
					t.Fatalf("a value put from a frame now gone reads %v: it was on that stack", c)
				}
			}
		}
	}
}

// putFromFrame puts a pointer and a slice made in its own frame, each of
// its 64 bytes i.
//
//go:noinline
func putFromFrame(p *PoolOf[*[64]byte], s *PoolOf[[]byte], i int) {
	v := new([64]byte) // escapes only through Put
	b := make([]byte, 64)
	for j := range v {
		v[j], b[j] = byte(i), byte(i)
	}
	p.Put(v)
	s.Put(b)
}

// scribble writes over depth frames of the stack below its caller's.
//
//go:noinline
func scribble(depth int) byte {
	var junk [256]byte
	for i := range junk {
		junk[i] = 0xA5
	}
	if depth == 0 {
		return junk[depth]
	}
	return scribble(depth-1) + junk[depth]
}
