package alloc

import (
	"runtime"
	"sync"
	"testing"

	"github.com/gorseq/percpu/internal/stresstest"
	"github.com/gorseq/percpu/rseq"
)

// TestPoolSeedServesFirstCalls: a Pool's first value is kept in its seed,
// with no per-CPU memory; a second value held at once grows the per-CPU
// machinery, and so does the seedCalls-th call of a pool that never holds
// two; nothing put is lost on the way.
func TestPoolSeedServesFirstCalls(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector a quarter of Puts are dropped")
	}
	t.Run("one value", func(t *testing.T) {
		var p Pool
		x := new(item)
		p.Put(x)
		if s := p.Stats(); s.Cached != 1 || s.PerCPUBytes != 0 || p.c.Load().ready.Load() {
			t.Fatalf("after one Put: stats %+v, grown %v; want the value in the seed", s, p.c.Load().ready.Load())
		}
		if got := p.Get(); got != x {
			t.Fatalf("Get = %p, want the value put, %p", got, x)
		}
		if got := p.Get(); got != nil {
			t.Fatalf("Get of an empty seed = %v", got)
		}
		if s := p.Stats(); s.Misses != 1 {
			t.Fatalf("stats %+v, want one miss", s)
		}
	})
	t.Run("two values", func(t *testing.T) {
		var p Pool
		x, y := new(item), new(item)
		p.Put(x)
		p.Put(y) // two at once: the pool grows
		if !p.c.Load().ready.Load() {
			t.Fatal("a second value held did not grow the pool")
		}
		if s := p.Stats(); s.Cached != 2 {
			t.Fatalf("after growing: stats %+v, want both values cached", s)
		}
		got := map[any]bool{}
		for range 2 {
			got[p.Get()] = true
		}
		if !got[x] || !got[y] {
			t.Fatalf("Gets returned %v, want %p and %p", got, x, y)
		}
	})
	t.Run("busy", func(t *testing.T) {
		var p Pool
		x := new(item)
		for i := 1; i <= seedCalls; i += 2 {
			if p.c.Load() != nil && p.c.Load().ready.Load() {
				t.Fatalf("grown after %d calls that never held two values", i-1)
			}
			p.Put(x)
			if got := p.Get(); got != x {
				t.Fatalf("call %d: Get = %v, want %p", i+1, got, x)
			}
		}
		if !p.c.Load().ready.Load() {
			t.Fatalf("not grown after %d calls", seedCalls)
		}
	})
}

// TestPoolOfSeedKeepsWholeEntries: PoolOf seeds too, and a slice comes
// back from the seed with its length and capacity; the boxed shape, whose
// boxes have a member of their own, builds its machinery at once.
func TestPoolOfSeedKeepsWholeEntries(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector a quarter of Puts are dropped")
	}
	var p PoolOf[[]byte]
	b := make([]byte, 3, 7)
	p.Put(b)
	if p.c.Load().ready.Load() {
		t.Fatal("one Put grew a PoolOf: it does not seed")
	}
	if got := p.Get(); len(got) != 3 || cap(got) != 7 || &got[0] != &b[0] {
		t.Fatalf("Get = len %d cap %d, want the slice put (len 3, cap 7)", len(got), cap(got))
	}
	var q PoolOf[boxedToken]
	q.Put(boxedToken{tk: new(token)})
	if !q.c.Load().ready.Load() {
		t.Fatal("a boxed PoolOf seeded: its boxes have no seed")
	}
}

// TestPoolSeedIdleReleasedGC: an idle pool lets go of the value in its
// seed as it does of cached values (gc.go), and the collector frees it.
func TestPoolSeedIdleReleasedGC(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector a quarter of Puts are dropped")
	}
	onlyExplicitCollections(t)
	var p Pool
	tr := newTracked()
	collect(t)
	p.Put(tr.value(0))
	if p.c.Load().ready.Load() {
		t.Fatal("one Put grew the pool: the test does not reach the seed")
	}
	for range 4 {
		collect(t)
	}
	if s := p.Stats(); s.Cached != 0 || s.Released != 1 {
		t.Fatalf("idle seeded pool after four collections: stats %+v, want nothing cached and 1 released", s)
	}
	if missing := tr.await(t, map[int]bool{0: true}, nil); len(missing) > 0 {
		t.Fatal("the value of an idle seeded pool was never freed")
	}
}

// TestPoolSeedGrowsUnderConcurrentCalls is conservation across the seed's
// end: in each round, workers start on a fresh pool together and call it
// for twice seedCalls calls each, a worker that holds a token putting it
// and one that holds none getting, with one, two or three tokens in all.
// With one the pool never holds two values, so the seed serves until its
// seedCalls-th call and then grows while the others call it; with more it
// grows at the first Put that finds its slot full. A Get that returns a
// token another worker holds is a value handed out twice; a final drain
// of the pool (seed, per-CPU stacks, shards and depot) with what the
// workers hold must give back every token once. (Under the race detector,
// which drops a quarter of Puts, only the first check is made: the run is
// for the detector, which sees the seed's and the growth's memory
// accesses.)
func TestPoolSeedGrowsUnderConcurrentCalls(t *testing.T) {
	for _, kind := range seedKinds {
		t.Run(kind.name, func(t *testing.T) { seedConservation(t, kind) })
	}
}

// seedPool is a pool of seed tokens, of either seeding type.
type seedPool interface {
	put(*seedToken)
	get() *seedToken
	cache() *cache
}

type (
	seedAny     struct{ Pool }
	seedPointer struct{ PoolOf[*seedToken] }
)

func (p *seedAny) put(tk *seedToken) { p.Put(tk) }
func (p *seedAny) get() *seedToken {
	v, _ := p.Get().(*seedToken)
	return v
}
func (p *seedAny) cache() *cache         { return p.c.Load() }
func (p *seedPointer) put(tk *seedToken) { p.Put(tk) }
func (p *seedPointer) get() *seedToken   { return p.Get() }
func (p *seedPointer) cache() *cache     { return p.c.Load() }

// seedKind names a seeding pool type and makes one.
type seedKind struct {
	name string
	make func() seedPool
}

var seedKinds = []seedKind{
	{"Pool", func() seedPool { return new(seedAny) }},
	{"PoolOf", func() seedPool { return new(seedPointer) }},
}

// seedConservation is TestPoolSeedGrowsUnderConcurrentCalls for one kind.
func seedConservation(t *testing.T, kind seedKind) {
	const workers = 4
	rounds := 600
	if testing.Short() || raceEnabled {
		rounds = 60
	}
	for r := range rounds {
		led := stresstest.NewLedger(1 + 1 + r%3)
		toks := make([]seedToken, led.Tokens()) // toks[i] is token i; 0 is none
		for i := range toks {
			toks[i].id = uintptr(i)
		}
		p := kind.make()
		held := make([][]uintptr, workers)
		var start, done sync.WaitGroup
		start.Add(1)
		for w := range workers {
			done.Add(1)
			go func() {
				defer done.Done()
				var mine *seedToken
				if 1+w < len(toks) {
					mine = &toks[1+w]
					led.Claim(mine.id, w)
				}
				start.Wait()
				for range 2 * seedCalls {
					if mine != nil {
						led.Release(mine.id)
						p.put(mine)
						mine = nil
					} else if v := p.get(); v != nil {
						mine = v
						led.Claim(mine.id, w)
					}
					runtime.Gosched()
				}
				if mine != nil {
					held[w] = append(held[w], mine.id)
				}
			}()
		}
		start.Done()
		done.Wait()
		returned, err := drainCache(p.cache())
		if err != nil {
			t.Skipf("round %d: cannot drain the per-CPU stacks: %v", r, err)
		}
		if err := led.Err(); err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
		if err := led.Conservation(held, returned); err != nil && !raceEnabled {
			t.Fatalf("round %d: %v (stats %+v)", r, err, p.cache().snapshot())
		}
	}
}

// seedToken is a numbered value for the seed's conservation test.
type seedToken struct {
	id uintptr
	_  [56]byte
}

// drainCache takes every value out of a pool's cache that nobody is
// using: its seed, or its per-CPU stacks and shards and its depot.
func drainCache(c *cache) ([]uintptr, error) {
	var out []uintptr
	add := func(e rseq.Entry) { out = append(out, (*seedToken)(e.P).id) }
	if !c.ready.Load() {
		if c.seed.e.P != nil {
			add(c.seed.e)
		}
		return out, nil
	}
	if err := c.stack(0).Drain(func(_ int, entries []rseq.Entry) {
		for _, e := range entries {
			add(e)
		}
	}); err != nil {
		return nil, err
	}
	var b [batchSize]rseq.Entry
	for {
		n := c.depots[0].take(b[:])
		if n == 0 {
			return out, nil
		}
		for _, e := range b[:n] {
			add(e)
		}
	}
}
