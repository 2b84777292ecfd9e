package alloc

import (
	"runtime"
	"testing"
	"time"
)

// collect runs a GC and waits until the pools' GC hook has handled it.
func collect(t *testing.T) {
	t.Helper()
	before := gcCycles.Load()
	runtime.GC()
	for i := 0; gcCycles.Load() == before; i++ {
		if i == 10000 {
			t.Fatal("the GC hook did not run after a collection")
		}
		runtime.Gosched()
		time.Sleep(50 * time.Microsecond)
	}
}

func TestPoolZeroValue(t *testing.T) {
	var p Pool
	if v := p.Get(); v != nil {
		t.Fatalf("Get on a new Pool = %v, want nil", v)
	}
	p.Put(nil) // a no-op
	var np *int
	p.Put(np) // a typed nil has no data word: also not cached
	if v := p.Get(); v != nil {
		t.Fatalf("Get after Put(nil) = %v", v)
	}
}

func TestPoolNew(t *testing.T) {
	calls := 0
	p := Pool{New: func() any { calls++; return calls }}
	if v := p.Get(); v != 1 {
		t.Fatalf("Get = %v, want New's 1", v)
	}
	if s := p.Stats(); s.News != 1 || s.Misses != 1 {
		t.Fatalf("stats %+v, want one miss and one New", s)
	}
}

// TestPoolReturnsWhatWasPut puts distinct values and checks that Get hands
// back only those (or New's), each at most once.
func TestPoolReturnsWhatWasPut(t *testing.T) {
	const n = 100
	p := Pool{New: func() any { return -1 }}
	for i := 0; i < n; i++ {
		p.Put(i)
	}
	seen := map[int]bool{}
	for i := 0; i < 4*n; i++ {
		v := p.Get().(int)
		if v == -1 {
			continue
		}
		if v < 0 || v >= n || seen[v] {
			t.Fatalf("Get returned %d: not put, or returned twice", v)
		}
		seen[v] = true
	}
	if len(seen) == 0 {
		t.Fatal("no value that was put came back")
	}
}

// TestPoolHoldsNoReferenceAfterDrain checks that values taken out with Get
// are no longer referenced by the pool: they are collected.
func TestPoolHoldsNoReferenceAfterDrain(t *testing.T) {
	const n = 8
	var p Pool
	collected := make(chan int, n)
	for i := 0; i < n; i++ {
		v := &[64]byte{byte(i)}
		runtime.AddCleanup(v, func(i int) { collected <- i }, i)
		p.Put(v)
	}
	// Take everything out. (Under -race some Puts were dropped; those
	// values were never referenced and are collected too.)
	for misses := 0; misses < 1000; {
		if p.Get() != nil {
			misses = 0
		} else {
			misses++
			runtime.Gosched() // values may sit on another CPU's cache
		}
	}
	if c := p.Stats().Cached; c > 0 {
		t.Skipf("%d values stayed on a CPU this goroutine never ran on again", c)
	}
	if got := awaitCollected(t, collected, n); got != n {
		t.Fatalf("%d of %d values taken out of the pool were collected", got, n)
	}
}

// TestPoolIdleReleasedGC checks that a pool nobody uses drops its values at
// the second collection after its last use.
func TestPoolIdleReleasedGC(t *testing.T) {
	const n = 40
	var p Pool
	collected := make(chan int, n)
	for i := 0; i < n; i++ {
		v := &[64]byte{byte(i)}
		runtime.AddCleanup(v, func(i int) { collected <- i }, i)
		p.Put(v)
	}
	if p.Stats().Cached == 0 {
		t.Fatal("nothing cached after Puts")
	}
	collect(t) // the pool was used during this cycle: it keeps its values
	if p.Stats().Cached == 0 {
		t.Fatal("a pool used during the last cycle was emptied")
	}
	collect(t) // a whole cycle without use: emptied
	if c := p.Stats().Cached; c != 0 {
		t.Fatalf("idle pool still holds %d values after two collections", c)
	}
	if got := awaitCollected(t, collected, n); got != n {
		t.Fatalf("%d of %d values of an idle pool were collected", got, n)
	}
}

// awaitCollected runs collections until n cleanups have reported on ch,
// or ten cycles passed (cleanups run on their own goroutine, after the
// cycle that found their object unreachable), and returns how many did.
func awaitCollected(t *testing.T, ch chan int, n int) int {
	for cycle := 0; cycle < 10 && len(ch) < n; cycle++ {
		collect(t)
		time.Sleep(time.Millisecond)
	}
	return len(ch)
}

// TestPoolKeepsHotValuesGC is the difference from sync.Pool: a pool in
// steady use keeps its values across forced collections.
func TestPoolKeepsHotValuesGC(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose")
	}
	p := Pool{New: func() any { return new([64]byte) }}
	const gets, gcEvery = 20000, 500
	for i := 0; i < gets; i++ {
		p.Put(p.Get())
		if i%gcEvery == 0 {
			runtime.GC()
		}
	}
	news := p.Stats().News
	if rate := 1 - float64(news)/gets; rate < 0.99 {
		t.Fatalf("hit rate %.4f with a GC every %d operations (%d News), want ≥ 0.99", rate, gcEvery, news)
	} else {
		t.Logf("hit rate %.4f (%d News in %d Gets, %d forced GCs)", rate, news, gets, gets/gcEvery)
	}
}
