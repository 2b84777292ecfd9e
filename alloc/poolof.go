package alloc

import (
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/procpin"
	"github.com/gorseq/percpu/internal/race"
	"github.com/gorseq/percpu/rseq"
)

// PoolOf is a typed Pool: Get returns a T, Put takes one, with the same
// guarantees as Pool and no interface boxing. How a T is kept is decided
// once, from its type:
//
//   - a pointer, map, chan, func or unsafe.Pointer (or a struct or array of
//     exactly one of those), a slice, a string or an interface value is
//     kept as its own words: Put allocates nothing;
//   - a value of at most two words with no pointers (an int, a small
//     struct of numbers) is kept inline: Put allocates nothing;
//   - any other T is copied into a box (a *T); boxes are recycled, so Put
//     allocates only until the pool has boxes to spare.
//
// A value without a data pointer (a nil pointer, map or slice, a nil
// interface, an empty string) is not kept.
//
// The zero PoolOf is ready to use. Its fields must be set before first
// use. A PoolOf must not be copied after first use.
type PoolOf[T any] struct {
	noCopy noCopy

	c     atomic.Pointer[cache] // created on first use
	mu    sync.Mutex            // serializes the creation of c
	shape shape                 // how a T is kept; set before c is published

	// New optionally specifies a function to generate a value when Get
	// would otherwise return the zero value. It may not be changed
	// concurrently with calls to Get.
	New func() T

	// PerCPU bounds the values kept per CPU (default DefaultPerCPU), and
	// Depot those kept in the depot behind the CPUs (default DefaultDepot).
	// Put drops what does not fit.
	PerCPU int
	Depot  int
}

// Put adds v to the pool.
func (p *PoolOf[T]) Put(v T) {
	if raceDropPut() {
		return
	}
	c := p.c.Load()
	if c == nil {
		c = p.lazyCache()
	}
	var e rseq.Entry
	switch p.shape { // the common shapes inline, the others in a call
	case shapePointer:
		e.P = *(*unsafe.Pointer)(unsafe.Pointer(&v))
	case shapeSlice:
		h := (*sliceHeader)(unsafe.Pointer(&v))
		e = rseq.Entry{P: h.data, N0: h.len, N1: h.cap}
	default:
		e = p.entry(c, &v)
	}
	if e.P == nil {
		return
	}
	race.Release(e.P)
	if d := c.fast.Load(); d != nil { // one section, called directly
		if st := arch.PushEntry(d, e.P, e.Aux, e.N0, e.N1); st != arch.Committed {
			c.putAfter(0, e, st)
		}
		return
	}
	// No section: the fallback's hit path, when open, pinned here (a call
	// level less than Private.Push).
	if s := c.private.Load(); s != nil {
		ok := s.PushPinned(procpin.Pin(), e)
		procpin.Unpin()
		if ok {
			return
		}
	}
	if !c.ready.Load() && c.putSeed(e, p.limits()) {
		return
	}
	c.put(0, e)
}

// limits are the bounds the pool's machinery is built to.
func (p *PoolOf[T]) limits() limits {
	return limits{classes: 1, perCPU: p.PerCPU, depot: p.Depot, boxes: p.shape == shapeBoxed}
}

// entry converts *v into an entry, in a box for the boxed shape.
func (p *PoolOf[T]) entry(c *cache, v *T) rseq.Entry {
	var box unsafe.Pointer
	if p.shape == shapeBoxed {
		if box = c.takeBox(); box == nil {
			box = unsafe.Pointer(new(T))
		}
	}
	return toEntry(p.shape, v, box)
}

// Get removes a value from the pool and returns it, or returns New() (the
// zero value without New) when the pool has none.
func (p *PoolOf[T]) Get() (v T) {
	c := p.c.Load()
	if c == nil {
		c = p.lazyCache()
	}
	var e rseq.Entry
	ok := false
	if d := c.fast.Load(); d != nil { // one section, called directly
		var st arch.Status
		e.P, e.Aux, e.N0, e.N1, st = arch.PopEntry(d)
		if ok = st == arch.Committed; !ok {
			e, ok = c.getAfter(0, e, st)
		}
	} else {
		// No section: the fallback's hit path, when open, pinned here.
		if s := c.private.Load(); s != nil {
			e, ok = s.PopPinned(procpin.Pin())
			procpin.Unpin()
		}
		if !ok {
			e, ok = p.getSlow(c)
		}
	}
	if !ok {
		return p.miss(c)
	}
	race.Acquire(e.P)
	switch p.shape { // the common shapes inline, the others in a call
	case shapePointer:
		*(*unsafe.Pointer)(unsafe.Pointer(&v)) = e.P
	case shapeSlice:
		*(*sliceHeader)(unsafe.Pointer(&v)) = sliceHeader{data: e.P, len: e.N0, cap: e.N1}
	default:
		v = p.value(c, e)
	}
	return v
}

// getSlow is Get past the direct section and the fallback's hit path: the
// seed, or the cache's slow path.
func (p *PoolOf[T]) getSlow(c *cache) (rseq.Entry, bool) {
	if !c.ready.Load() {
		if e, ok, served := c.getSeed(p.limits()); served {
			return e, ok
		}
	}
	return c.get(0)
}

// value turns an entry taken from the pool into the T it holds, and
// recycles its box.
func (p *PoolOf[T]) value(c *cache, e rseq.Entry) T {
	v := fromEntry[T](p.shape, e)
	if p.shape == shapeBoxed {
		c.keepBox(e.P)
	}
	return v
}

// miss returns New's value, or the zero value without New.
func (p *PoolOf[T]) miss(c *cache) T {
	if p.New == nil {
		var zero T
		return zero
	}
	c.stats.news.Add(1)
	return p.New()
}

// CountHits turns the counting of the pool's Stats.Hits on or off, as
// Pool.CountHits does.
func (p *PoolOf[T]) CountHits(on bool) {
	c := p.c.Load()
	if c == nil {
		c = p.lazyCache()
	}
	c.countHits(on)
}

// Stats reports what the pool has done and holds.
func (p *PoolOf[T]) Stats() Stats { return p.c.Load().snapshot() }

func (p *PoolOf[T]) lazyCache() *cache {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.c.Load(); c != nil {
		return c
	}
	p.shape = shapeOf(reflect.TypeFor[T]())
	var c *cache
	if p.shape == shapeBoxed {
		c = newCache(p.limits()) // boxes go straight to a member: no seed
	} else {
		c = newSeededCache() // its per-CPU machinery comes when the pool is busy (seed.go)
	}
	p.c.Store(c)
	return c
}
