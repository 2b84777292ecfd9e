package main

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"
)

// provenance records every value a pool made through its constructor
// function, so a test can tell a value the pool was given from one it
// invented.
type provenance struct {
	made  sync.Map // *Item or buffer base pointer → true
	count atomic.Int64
}

func (p *provenance) newItem() *Item {
	x := new(Item)
	p.made.Store(x, true)
	p.count.Add(1)
	return x
}

func (p *provenance) newBuffer(n int) []byte {
	b := make([]byte, n)
	p.made.Store(unsafe.SliceData(b), true)
	p.count.Add(1)
	return b
}

func (p *provenance) madeHere(key any) bool {
	_, ok := p.made.Load(key)
	return ok
}

func closeIfCloser(t *testing.T, v any) {
	if c, ok := v.(closer); ok {
		t.Cleanup(c.Close)
	}
}

// Conservation: under concurrent Gets and Puts — on the getting goroutine
// and on another one — every record a pool hands out is one it made and is
// held by one goroutine at a time. Each holder stamps the record's holder
// token with a compare-and-swap from 0 (or from the goroutine that handed it
// over), so a record handed to two holders at once fails the swap.
func TestPoolConservation(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4)) // more Ps than CPUs: threads preempted mid-operation
	for _, c := range contenders {
		if c.NewPool == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var prov provenance
			p := c.NewPool(prov.newItem)
			closeIfCloser(t, p)
			const goroutines, rounds = 8, 2000
			handOff := make(chan []*Item, goroutines)
			var wg sync.WaitGroup
			for g := range goroutines {
				token := uint64(g + 1)
				wg.Go(func() { holdAndRelease(t, p, &prov, token, rounds, handOff) })
			}
			wg.Wait()
			close(handOff)
			if t.Failed() {
				return
			}
			if n := prov.count.Load(); n > goroutines*rounds*maxHeld {
				t.Errorf("made %d records for %d Gets", n, goroutines*rounds*maxHeld)
			}
		})
	}
}

// maxHeld is the most records a conservation goroutine holds at once.
const maxHeld = 8

// holdAndRelease gets and puts records for rounds rounds as holder token.
// In odd rounds it passes what it holds to whichever goroutine takes it from
// handOff and takes over a batch from there if one is waiting.
func holdAndRelease(t *testing.T, p Pool, prov *provenance, token uint64, rounds int, handOff chan []*Item) {
	for round := range rounds {
		held := make([]*Item, 1+rand.IntN(maxHeld))
		for i := range held {
			x := p.Get()
			if x == nil || !prov.madeHere(x) {
				t.Errorf("Get returned %p, which the pool never made", x)
				return
			}
			if !x.holder.CompareAndSwap(0, token) {
				t.Errorf("Get handed out record %p, already held by %d, to %d", x, x.holder.Load(), token)
				return
			}
			x.Data[0] = byte(token)
			held[i] = x
		}
		if round%2 == 1 {
			select {
			case handOff <- held:
				held = nil
			default:
			}
			select {
			case batch := <-handOff:
				held = append(held, batch...)
			default:
			}
		}
		if rand.IntN(4) == 0 {
			runtime.Gosched()
		}
		for _, x := range held {
			if owner := x.holder.Load(); owner != token && !x.holder.CompareAndSwap(owner, token) {
				t.Errorf("record %p changed holder while handed over", x)
				return
			}
			if !x.holder.CompareAndSwap(token, 0) {
				t.Errorf("record %p taken from holder %d before its Put", x, token)
				return
			}
			p.Put(x)
		}
	}
}

// A pool that keeps records hands a Put record out again; the baseline
// never does and makes a new value for every Get.
func TestPoolReuse(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one P: per-P caches see every Put
	for _, c := range contenders {
		if c.NewPool == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var prov provenance
			p := c.NewPool(prov.newItem)
			closeIfCloser(t, p)
			put := map[*Item]bool{}
			for range 8 {
				put[p.Get()] = true
			}
			for x := range put {
				p.Put(x)
			}
			reused := 0
			for range 8 {
				if x := p.Get(); put[x] {
					reused++
				}
			}
			switch {
			case c.Baseline && (reused > 0 || prov.count.Load() != 16):
				t.Errorf("baseline reused %d records and made %d for 16 Gets", reused, prov.count.Load())
			case !c.Baseline && reused == 0:
				t.Errorf("none of 8 records Put was handed out again")
			}
		})
	}
}

// Buffer pools hand out buffers of the asked length that they made, each
// held by one goroutine at a time.
func TestBufferPoolConservation(t *testing.T) {
	for _, c := range contenders {
		if c.NewBufferPool == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var prov provenance
			p := c.NewBufferPool(prov.newBuffer)
			closeIfCloser(t, p)
			var holders sync.Map // buffer base pointer → token
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					for range 2000 {
						n := 1 + rand.IntN(1<<(maxBufferShift+1)) // past the largest class too
						b := p.GetBytes(n)
						base := unsafe.SliceData(b)
						switch {
						case len(b) != n || cap(b) < n:
							t.Errorf("GetBytes(%d): len %d, cap %d", n, len(b), cap(b))
							return
						case !prov.madeHere(base):
							t.Errorf("GetBytes(%d) returned a buffer the pool never made", n)
							return
						}
						if other, held := holders.LoadOrStore(base, g); held {
							t.Errorf("buffer %p handed to %d while held by %d", base, g, other)
							return
						}
						b[0], b[n-1] = byte(g), byte(g)
						holders.Delete(base)
						p.PutBytes(b)
					}
				})
			}
			wg.Wait()
		})
	}
}

// An arena's values are distinct until Free, and made by the arena.
func TestArena(t *testing.T) {
	for _, c := range contenders {
		if c.NewArena == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var prov provenance
			a := c.NewArena(prov.newItem)
			closeIfCloser(t, a)
			for range 10 {
				seen := map[*Item]bool{}
				for range requestValues {
					x := a.New()
					if seen[x] || !prov.madeHere(x) {
						t.Fatalf("New returned %p twice in one request, or a value it never made", x)
					}
					seen[x] = true
				}
				a.Free()
			}
		})
	}
}

// The Treiber stack's version defeats ABA: after the top record is popped
// and pushed back, the top index is the same but the word is not, so a Get
// that read the old word cannot swap.
func TestTreiberVersionDefeatsABA(t *testing.T) {
	var prov provenance
	p := newTreiberPool(prov.newItem).(*treiberPool)
	a, b := p.Get(), p.Get()
	p.Put(b)
	p.Put(a) // stack: a, b
	stale := p.top.Load()
	nodes, i := p.node(a.slot)
	below := nodes.next[i].Load()
	if got := p.Get(); got != a {
		t.Fatalf("Get = %p, want the top record %p", got, a)
	}
	p.Get()  // b
	p.Put(a) // a is on top again, with nothing below it
	if uint32(p.top.Load()) != uint32(stale) {
		t.Fatal("test setup: a is not on top")
	}
	if p.top.CompareAndSwap(stale, nextVersion(stale)|uint64(below)) {
		t.Fatal("a stale pop swapped: it would hand out b, which is held")
	}
}

// Records are one cache line; the compile-time check in item.go says so too.
func TestItemSize(t *testing.T) {
	if s := unsafe.Sizeof(Item{}); s != itemSize {
		t.Fatalf("Item is %d bytes, want %d", s, itemSize)
	}
}

// Every size up to the largest class fits its class, and no smaller class.
func TestClassOf(t *testing.T) {
	for n := 1; n <= 1<<maxBufferShift; n++ {
		c, ok := classOf(n)
		if !ok || classSize(c) < n || (c > 0 && classSize(c-1) >= n) {
			t.Fatalf("classOf(%d) = %d, %v", n, c, ok)
		}
	}
	if _, ok := classOf(1<<maxBufferShift + 1); ok {
		t.Fatal("a buffer past the largest class has a class")
	}
}
