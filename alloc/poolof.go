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

	// hold is c when the typed sections can move a T (c.layout says how:
	// typedLayout), and nil otherwise and until first use: the root that
	// arch.PopOf and PushOf find through the pool, whose first word it
	// must be.
	hold atomic.Pointer[cache]

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
	if race.Enabled || !arch.HitSections {
		p.putGo(v)
		return
	}
	// The hit path is this one call (arch.PushOf), given v as an
	// interface: a pointer as itself, any other value as the address of a
	// copy on this frame's stack (PushOf is noescape, so the conversion
	// allocates nothing); what misses goes on in putGo, through
	// typedOf.PutAny.
	// The store below, never made, tells the compiler what PushOf's
	// declaration does not: that the pool keeps what v points to, which
	// must therefore be on the heap (TestPoolOfPutKeepsValuesOnTheHeap).
	if keepValues {
		keptValue = any(v)
	}
	arch.PushOf((*typedOf[T])(p), any(v))
}

// keepValues is never set; keptValue is never written (Put).
var (
	keepValues bool
	keptValue  any
)

// typedOf is a PoolOf as the typed sections take it (arch.TypedPool):
// its methods are their miss paths, and not the PoolOf's own.
type typedOf[T any] PoolOf[T]

// PutAny is a Put that arch.PushOf did not push: x is any(v).
func (p *typedOf[T]) PutAny(x any) {
	v, _ := x.(T) // a nil interface T comes as a nil x: the zero T, dropped
	(*PoolOf[T])(p).putGo(v)
}

// GetInto is a Get that arch.PopOf did not serve: it stores the value at
// out, a *T.
func (p *typedOf[T]) GetInto(out unsafe.Pointer) { *(*T)(out) = (*PoolOf[T])(p).getGo() }

// putGo is Put in Go: the whole of it, for what arch.PushOf did not push
// and for every Put of a race build or of one without sections.
func (p *PoolOf[T]) putGo(v T) {
	// A pointer T, the common case, first and on its own: its hit paths as
	// Pool.Put's, without the shape's switch or the entry's other words,
	// and with every miss in a call. (The size test is a constant of each
	// instantiation: the branch is compiled only for one-word shapes.)
	if unsafe.Sizeof(v) == unsafe.Sizeof(unsafe.Pointer(nil)) {
		if c := p.c.Load(); c != nil && p.shape == shapePointer { // shape: set before c is published
			ptr := *(*unsafe.Pointer)(unsafe.Pointer(&v)) // shapePointer: v is one pointer word
			if ptr == nil || raceDropPut() {
				return
			}
			race.Release(ptr)
			if d := c.fast.Load(); d != nil { // one section, called directly
				if st := arch.PushPointers(d, ptr, nil); st != arch.Committed {
					c.putAfter(0, rseq.Entry{P: ptr}, st)
				}
				return
			}
			if s := c.private.Load(); s != nil { // the fallback's: unpinned, then pinned (private.go)
				if arch.PrivateSections {
					if st := pushPrivate(s, ptr, nil); st == arch.Committed || pushPinned(s, st, ptr, nil) {
						return
					}
				} else { // pinned here, a call level less (private.go)
					ok := s.PushPinnedPointers(procpin.Pin(), ptr, nil)
					procpin.Unpin()
					if ok {
						return
					}
				}
			}
			p.putMissed(c, rseq.Entry{P: ptr})
			return
		}
	}
	// Every other shape, and the first use.
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
	p.putMissed(c, e)
}

// putMissed is a Put that no hit path took: the seed, or the cache's slow
// path.
func (p *PoolOf[T]) putMissed(c *cache, e rseq.Entry) {
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
func (p *PoolOf[T]) Get() T {
	// The hit path is this one call (arch.PopOf), which stores a pooled
	// value in v or has typedOf.GetInto store one; v never escapes, so it
	// is on this frame's stack (or its inlined caller's), as PopOf
	// requires.
	var v T
	if race.Enabled || !arch.HitSections {
		return p.getGo()
	}
	arch.PopOf((*typedOf[T])(p), unsafe.Pointer(&v))
	return v
}

// getGo is Get in Go: the whole of it, for what arch.PopOf did not pop
// and for every Get of a race build or of one without sections.
func (p *PoolOf[T]) getGo() T {
	// A pointer T, as in Put. The value stays in a register: a T read
	// through &ptr is ptr's word.
	if unsafe.Sizeof(*new(T)) == unsafe.Sizeof(unsafe.Pointer(nil)) {
		if c := p.c.Load(); c != nil && p.shape == shapePointer {
			if d := c.fast.Load(); d != nil { // one section, called directly
				ptr, aux, st := arch.PopPointers(d)
				if st != arch.Committed {
					return p.getAfter(c, rseq.Entry{P: ptr, Aux: aux}, st)
				}
				race.Acquire(ptr)
				return *(*T)(unsafe.Pointer(&ptr)) // shapePointer: T is one pointer word
			}
			if s := c.private.Load(); s != nil { // the fallback's: unpinned, then pinned (private.go)
				var ptr unsafe.Pointer
				if arch.PrivateSections {
					var st arch.Status
					if ptr, _, st = popPrivate(s); st != arch.Committed {
						ptr, _ = popPinned(s, st)
					}
				} else { // pinned here, a call level less (private.go)
					ptr, _ = s.PopPinnedPointers(procpin.Pin())
					procpin.Unpin()
				}
				if ptr != nil {
					race.Acquire(ptr)
					return *(*T)(unsafe.Pointer(&ptr))
				}
			}
			return p.getMissed(c)
		}
	}
	// Every other shape, and the first use.
	var v T
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

// getAfter ends a Get whose direct section did not commit.
func (p *PoolOf[T]) getAfter(c *cache, e rseq.Entry, st arch.Status) T {
	e, ok := c.getAfter(0, e, st)
	if !ok {
		return p.miss(c)
	}
	race.Acquire(e.P)
	return p.value(c, e)
}

// getMissed is a Get that no hit path served: the seed, the cache's slow
// path, or New.
func (p *PoolOf[T]) getMissed(c *cache) T {
	e, ok := p.getSlow(c)
	if !ok {
		return p.miss(c)
	}
	race.Acquire(e.P)
	return p.value(c, e)
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
	if l, ok := typedLayout(p.shape, reflect.TypeFor[T]()); ok {
		c.layout = l // before hold publishes c
		p.hold.Store(c)
	}
	return c
}

// typedLayout returns the layout in which the typed sections move a t of
// shape s, and false for the values they leave to Go: boxed ones, non-empty
// interfaces (an entry holds their itab, the interface PushOf is given only
// the type) and inline values of a size other than one or two words.
func typedLayout(s shape, t reflect.Type) (uintptr, bool) {
	switch {
	case s == shapePointer:
		return arch.LayoutPointer, true
	case s == shapeSlice:
		return arch.LayoutSlice, true
	case s == shapeString:
		return arch.LayoutString, true
	case s == shapeInline && t.Size() == arch.WordSize:
		return arch.LayoutWord, true
	case s == shapeInline && t.Size() == 2*arch.WordSize:
		return arch.LayoutTwoWords, true
	case s == shapeIface && t.NumMethod() == 0:
		return arch.LayoutEface, true
	}
	return 0, false
}

// A PoolOf's first word is hold, the root arch.PopOf and PushOf read (a
// cache, as a Pool's c is; pool.go asserts the cache's layout).
const (
	_ = unsafe.Offsetof(PoolOf[*int]{}.hold) - unsafe.Offsetof(arch.AnyRoot{}.Holder)
	_ = unsafe.Offsetof(arch.AnyRoot{}.Holder) - unsafe.Offsetof(PoolOf[*int]{}.hold)
)
