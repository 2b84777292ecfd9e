package alloc

import (
	"runtime"
	"sync"
	"testing"
)

// The conformance suite: what sync.Pool documents, checked on Pool through
// its public API (and Stats), in the spirit of sync's own pool_test.go.
// Values may sit on another CPU's cache than the one a goroutine runs on
// next, so the tests never expect a particular value back from one Get.

func TestPoolZeroValue(t *testing.T) {
	var p Pool
	if v := p.Get(); v != nil {
		t.Fatalf("Get on a new Pool = %v, want nil", v)
	}
	p.Put(nil) // a no-op
	var np *int
	p.Put(np) // a nil pointer has nothing to reuse: not kept either
	if v := p.Get(); v != nil {
		t.Fatalf("Get after Put(nil) = %v, want nil", v)
	}
	if s := p.Stats(); s.Cached != 0 {
		t.Fatalf("stats %+v after Put(nil): something was kept", s)
	}
}

func TestPoolNilReceiverPanics(t *testing.T) {
	var p *Pool
	putMany := func() { // race builds drop some Puts before looking at p
		for range 100 {
			p.Put("a")
		}
	}
	for name, op := range map[string]func(){"Get": func() { p.Get() }, "Put": putMany} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s on a nil *Pool did not panic", name)
				}
			}()
			op()
		}()
	}
}

func TestPoolNew(t *testing.T) {
	calls := 0
	p := Pool{New: func() any { calls++; return calls }}
	if v := p.Get(); v != 1 {
		t.Fatalf("Get = %v, want New's 1", v)
	}
	if v := p.Get(); v != 2 {
		t.Fatalf("Get = %v, want New's 2", v)
	}
	if s := p.Stats(); s.News != 2 || s.Misses != 2 {
		t.Fatalf("stats %+v, want two misses and two News", s)
	}
}

// TestPoolGetReturnsWhatWasPut puts distinct values and checks that Gets
// hand back only those (or New's), each at most once, and most of them.
func TestPoolGetReturnsWhatWasPut(t *testing.T) {
	const n = 40 // fits one CPU's cache
	const rounds = 3
	p := Pool{New: func() any { return -1 }}
	// Every value is put once in the whole test: a value left on another
	// CPU's cache (or P's shard) by one round may come back in a later one,
	// which is fine, but never twice.
	seen := map[int]bool{}
	for round := 0; round < rounds; round++ {
		for i := 0; i < n; i++ {
			p.Put(round*n + i)
		}
		got := 0
		for i := 0; i < 4*n; i++ {
			v := p.Get().(int)
			if v == -1 {
				runtime.Gosched() // the rest may be on another CPU's cache
				continue
			}
			if v < 0 || v >= (round+1)*n || seen[v] {
				t.Fatalf("Get returned %d: never put, or returned twice", v)
			}
			seen[v] = true
			got++
		}
		if got == 0 {
			t.Fatalf("round %d: none of %d values put came back", round, n)
		}
		for range 4 * n { // empty it for the next round
			if p.Get() == -1 {
				runtime.Gosched()
			}
		}
	}
}

// TestPoolHoldsNoReferenceAfterGet checks that values taken out with Get
// are not referenced by the pool any more: the collector frees them while
// the pool, kept busy, holds its other values.
func TestPoolHoldsNoReferenceAfterGet(t *testing.T) {
	const n = 200 // more than one CPU keeps: some go through the depot
	var p Pool
	tr := newTracked()
	for i := 0; i < n; i++ {
		p.Put(tr.value(i))
	}
	taken := map[int]bool{}
	for i := 0; i < 4*n; i++ {
		if v, ok := p.Get().(*[64]byte); ok {
			taken[int(v[0])] = true
		}
	}
	if len(taken) == 0 {
		t.Fatal("Get returned none of the values put")
	}
	busy := func() { p.Put(p.Get()) } // keep the pool in use: no release
	if missing := tr.await(t, taken, busy); len(missing) > 0 {
		t.Fatalf("%d of %d values taken out with Get were never freed (e.g. %d)", len(missing), len(taken), missing[0])
	}
	if r := p.Stats().Released; r != 0 {
		t.Fatalf("a busy pool released %d values: the test proves nothing", r)
	}
}

// TestPoolConcurrent is sync's TestPoolStress: many goroutines Put and Get
// the same value; every Get returns it or nil.
func TestPoolConcurrent(t *testing.T) {
	const goroutines = 10
	n := 100000
	if testing.Short() || raceEnabled {
		n /= 20
	}
	var p Pool
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var v any = 0
			for j := 0; j < n; j++ {
				if v == nil {
					v = 0
				}
				p.Put(v)
				v = p.Get()
				if v != nil && v.(int) != 0 {
					t.Errorf("Get returned %v, which was never put", v)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestPoolGOMAXPROCS: changing GOMAXPROCS neither empties the pool nor
// makes it allocate (sync.Pool re-allocates its per-P array and drops what
// it held).
func TestPoolGOMAXPROCS(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	p := Pool{New: func() any { return new(item) }}
	const ops = 2000
	changes := []int{1, 4, 2, 8, 1, 3}
	for _, procs := range changes {
		runtime.GOMAXPROCS(procs)
		for range ops {
			p.Put(p.Get())
		}
	}
	// A New is due whenever the goroutine lands on a CPU whose cache is
	// empty, at most once per CPU and change in the worst case.
	gets := int64(len(changes) * ops)
	if news := p.Stats().News; news > gets/100 {
		t.Fatalf("%d News in %d Gets across %d GOMAXPROCS changes, want under 1%%", news, gets, len(changes))
	}
}

// TestPoolLimits: a pool keeps at most what its limits allow.
func TestPoolLimits(t *testing.T) {
	p := Pool{PerCPU: 4, Depot: 8}
	for i := 0; i < 1000; i++ {
		p.Put(i)
	}
	bound := int64(4*runtime.NumCPU() + 8)
	if s := p.Stats(); s.Cached > bound || s.Drops == 0 {
		t.Fatalf("limits 4 per CPU and 8 in the depot: stats %+v (bound %d)", s, bound)
	}
}
