package main

import (
	"math/rand/v2"
	"os"
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

// An inUseReporter is a contender's pool or arena that can say how many
// records it has handed out and not taken back (the off-heap ones can).
type inUseReporter interface{ recordsInUse() int64 }

// checkAllReturned fails the test unless v, if it is an inUseReporter,
// reports want records in use: none lost, none freed twice.
func checkAllReturned(t *testing.T, v any, want int64) {
	t.Helper()
	if r, ok := v.(inUseReporter); ok {
		if n := r.recordsInUse(); n != want {
			t.Errorf("%d records in use after every one was given back, want %d", n, want)
		}
	}
}

// Conservation: under concurrent Gets and Puts — on the getting goroutine
// and on another one — every record a pool hands out is one it made (for an
// off-heap pool, which makes its own: a zeroed one) and is held by one
// goroutine at a time. Each holder stamps the record's holder token with a
// compare-and-swap from 0 (or from the goroutine that handed it over), so a
// record handed to two holders at once fails the swap; a table of holders
// beside the records catches the same where a pool zeroes what it hands
// out. In the end, a pool that counts its records has none out.
func TestPoolConservation(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4)) // more Ps than CPUs: threads preempted mid-operation
	for _, c := range contenders {
		if c.NewPool == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			h := &holding{t: t, offHeap: c.OffHeap}
			h.p = c.NewPool(h.prov.newItem)
			closeIfCloser(t, h.p)
			const goroutines, rounds = 8, 2000
			h.handOff = make(chan []*Item, goroutines)
			var wg sync.WaitGroup
			for g := range goroutines {
				token := uint64(g + 1)
				wg.Go(func() { h.holdAndRelease(token, rounds) })
			}
			wg.Wait()
			close(h.handOff)
			for batch := range h.handOff { // handed over, and no one took them
				h.release(batch, 0)
			}
			if t.Failed() {
				return
			}
			n := h.prov.count.Load()
			switch {
			case c.OffHeap && n > 0:
				t.Errorf("an off-heap pool made %d records in the Go heap", n)
			case n > goroutines*rounds*maxHeld:
				t.Errorf("made %d records for %d Gets", n, goroutines*rounds*maxHeld)
			}
			checkAllReturned(t, h.p, 0)
		})
	}
}

// maxHeld is the most records a conservation goroutine holds at once.
const maxHeld = 8

// holding is the state of one conservation test.
type holding struct {
	t       *testing.T
	p       Pool
	prov    provenance
	offHeap bool         // the pool makes its own records, zeroed
	holders sync.Map     // *Item → token of the goroutine holding it
	handOff chan []*Item // batches passed from one goroutine to another
}

// holdAndRelease gets and puts records for rounds rounds as holder token.
// In odd rounds it passes what it holds to whichever goroutine takes it from
// handOff and takes over a batch from there if one is waiting.
func (h *holding) holdAndRelease(token uint64, rounds int) {
	for round := range rounds {
		held := make([]*Item, 1+rand.IntN(maxHeld))
		for i := range held {
			x := h.p.Get()
			if !h.take(x, token) {
				return
			}
			held[i] = x
		}
		if round%2 == 1 {
			select {
			case h.handOff <- held:
				held = nil
			default:
			}
			select {
			case batch := <-h.handOff:
				for _, x := range batch {
					if _, ok := h.holders.Swap(x, token); !ok {
						h.t.Errorf("record %p handed over while no one held it", x)
						return
					}
				}
				held = append(held, batch...)
			default:
			}
		}
		if rand.IntN(4) == 0 {
			runtime.Gosched()
		}
		if !h.release(held, token) {
			return
		}
	}
}

// take checks a record Get returned to token and stamps it as token's.
func (h *holding) take(x *Item, token uint64) bool {
	t := h.t
	switch {
	case x == nil:
		t.Errorf("Get returned nil")
		return false
	case h.offHeap && (x.holder.Load() != 0 || x.slot != 0 || x.Data != [len(x.Data)]byte{}):
		t.Errorf("Get returned record %p not zeroed: holder %d, Data[0] %d", x, x.holder.Load(), x.Data[0])
		return false
	case !h.offHeap && !h.prov.madeHere(x):
		t.Errorf("Get returned %p, which the pool never made", x)
		return false
	}
	if other, held := h.holders.LoadOrStore(x, token); held {
		t.Errorf("Get handed out record %p, held by %d, to %d", x, other, token)
		return false
	}
	if !x.holder.CompareAndSwap(0, token) {
		t.Errorf("Get handed out record %p, already held by %d, to %d", x, x.holder.Load(), token)
		return false
	}
	x.Data[0] = byte(token)
	return true
}

// release puts the records token holds back into the pool. Token 0 puts
// records that were left in handOff, as whoever stamped them last.
func (h *holding) release(held []*Item, token uint64) bool {
	for _, x := range held {
		owner := x.holder.Load()
		if token == 0 {
			token = owner
		}
		if owner != token && !x.holder.CompareAndSwap(owner, token) {
			h.t.Errorf("record %p changed holder while handed over", x)
			return false
		}
		if !x.holder.CompareAndSwap(token, 0) {
			h.t.Errorf("record %p taken from holder %d before its Put", x, token)
			return false
		}
		if !h.holders.CompareAndDelete(x, token) {
			h.t.Errorf("record %p held by another goroutine than %d at its Put", x, token)
			return false
		}
		h.p.Put(x)
	}
	return true
}

// A pool that keeps records hands a Put record out again; the baseline
// never does and makes a new value for every Get. The off-heap pool makes
// no record in the Go heap, and reuses the memory of those given back.
func TestPoolReuse(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one P: per-P caches see every Put
	for _, c := range contenders {
		if c.NewPool == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			if c.OffHeap && os.Getenv("PERCPU_SLAB_DEBUG") == "protect" {
				t.Skip("the slab's protect mode never reuses freed memory, by design")
			}
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
			case c.OffHeap && prov.count.Load() != 0:
				t.Errorf("an off-heap pool made %d records in the Go heap", prov.count.Load())
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

// An arena's values are distinct, stay intact until Free, and were made by
// the arena (off-heap arenas make their own, zeroed), with arenas of several
// goroutines at once. In the end, an arena that counts its records has as
// many out as before: Free and Close gave back everything.
func TestArena(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, c := range contenders {
		if c.NewArena == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var prov provenance
			probe := c.NewArena(prov.newItem) // an arena that only counts
			before := int64(-1)
			if r, ok := probe.(inUseReporter); ok {
				before = r.recordsInUse()
			}
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					a := c.NewArena(prov.newItem)
					fillRequests(t, a, &prov, c.OffHeap, byte(g))
					if cl, ok := a.(closer); ok {
						cl.Close()
					}
				})
			}
			wg.Wait()
			switch n := prov.count.Load(); {
			case c.OffHeap && n > 0:
				t.Errorf("an off-heap arena made %d values in the Go heap", n)
			case before >= 0:
				checkAllReturned(t, probe, before)
			}
		})
	}
}

// fillRequests serves requests of requestValues values from a, marking
// every value with who wrote it and checking each mark before the Free.
func fillRequests(t *testing.T, a Arena, prov *provenance, offHeap bool, who byte) {
	for request := range 20 {
		seen := make(map[*Item]bool, requestValues)
		vals := make([]*Item, 0, requestValues)
		for i := range requestValues {
			x := a.New()
			switch {
			case seen[x]:
				t.Errorf("New returned %p twice in one request", x)
				return
			case offHeap && (x.holder.Load() != 0 || x.slot != 0 || x.Data != [len(x.Data)]byte{}):
				t.Errorf("New returned %p not zeroed", x)
				return
			case !offHeap && !prov.madeHere(x):
				t.Errorf("New returned %p, which the arena never made", x)
				return
			}
			seen[x] = true
			for j := range x.Data {
				x.Data[j] = who ^ byte(i) ^ byte(j) ^ byte(request)
			}
			vals = append(vals, x)
		}
		for i, x := range vals {
			for j := range x.Data {
				if want := who ^ byte(i) ^ byte(j) ^ byte(request); x.Data[j] != want {
					t.Errorf("value %d of a request changed before Free: Data[%d] = %d, want %d", i, j, x.Data[j], want)
					return
				}
			}
		}
		a.Free()
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
