package alloc

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/procpin"
	"github.com/gorseq/percpu/internal/race"
	"github.com/gorseq/percpu/rseq"
)

// A Pool is a set of temporary objects that may be individually saved and
// retrieved, with the API of sync.Pool: replacing sync.Pool with alloc.Pool
// compiles and behaves as sync.Pool documents.
//
// Any item stored in the Pool may be removed automatically at any time
// without notification. A Pool is safe for use by multiple goroutines
// simultaneously. A Put happens before the Get that returns the same value.
// A value taken out with Get is no longer referenced by the Pool.
//
// Unlike sync.Pool, a Pool in steady use keeps its values across garbage
// collections; one that went two whole GC cycles without a Get or a Put
// lets them go (see the package documentation). Its
// memory is bounded (PerCPU and Depot), and changing GOMAXPROCS neither
// empties nor re-allocates it.
//
// The zero Pool is ready to use. Its fields must be set before first use.
// A Pool must not be copied after first use.
type Pool struct {
	noCopy noCopy

	c  atomic.Pointer[cache] // created on first use
	mu sync.Mutex            // serializes the creation of c

	// New optionally specifies a function to generate a value when Get
	// would otherwise return nil. It may not be changed concurrently with
	// calls to Get.
	New func() any

	// PerCPU bounds the values kept per CPU (default DefaultPerCPU), and
	// Depot those kept in the depot behind the CPUs (default DefaultDepot).
	// Put drops what does not fit.
	PerCPU int
	Depot  int
}

// eface is the layout of an interface value: type word, then data word.
type eface struct {
	typ, data unsafe.Pointer
}

func makeAny(typ, data unsafe.Pointer) (x any) {
	*(*eface)(unsafe.Pointer(&x)) = eface{typ: typ, data: data}
	return x
}

// Put adds x to the pool. Put(nil) does nothing, and neither does a Put of
// an interface holding a nil pointer (there is nothing to reuse).
func (p *Pool) Put(x any) {
	if race.Enabled || !arch.HitSections {
		p.putGo(x)
		return
	}
	// The hit path is this one call (arch.PushAny, with sections or the
	// fallback's private section); what misses goes on in putGo.
	arch.PushAny(p.root(), x)
}

// putGo is Put in Go: the whole of it, for what arch.PushAny did not
// push, and for every Put of a race build or of one without sections.
func (p *Pool) putGo(x any) {
	v := *(*eface)(unsafe.Pointer(&x))
	if v.data == nil || raceDropPut() {
		return
	}
	race.Release(v.data)
	c := p.c.Load()
	if c != nil {
		if d := c.fast.Load(); d != nil { // one section, called directly
			if st := arch.PushPointers(d, v.data, v.typ); st != arch.Committed {
				c.putAfter(0, rseq.Entry{P: v.data, Aux: v.typ}, st)
			}
			return
		}
		// No section: the fallback's hit path, when open: unpinned, then
		// pinned if the miss leaves that anything to do (private.go).
		if s := c.private.Load(); s != nil {
			if arch.PrivateSections {
				if st := pushPrivate(s, v.data, v.typ); st == arch.Committed || pushPinned(s, st, v.data, v.typ) {
					return
				}
			} else { // pinned here, a call level less (private.go)
				ok := s.PushPinnedPointers(procpin.Pin(), v.data, v.typ)
				procpin.Unpin()
				if ok {
					return
				}
			}
		}
	} else {
		c = p.cache()
	}
	e := rseq.Entry{P: v.data, Aux: v.typ}
	if !c.ready.Load() && c.putSeed(e, p.limits()) {
		return
	}
	c.put(0, e)
}

// Get selects an arbitrary item from the Pool, removes it from the Pool,
// and returns it to the caller. Get may choose to ignore the pool and treat
// it as empty. Callers should not assume any relation between values passed
// to Put and the values returned by Get.
//
// If Get would otherwise return nil and p.New is non-nil, Get returns the
// result of calling p.New.
func (p *Pool) Get() any {
	if race.Enabled || !arch.HitSections {
		return p.getGo()
	}
	// The hit path is this one call, as Put's; what misses goes on in
	// getGo.
	return arch.PopAny(p.root())
}

// getGo is Get in Go: the whole of it, for what arch.PopAny did not pop,
// and for every Get of a race build or of one without sections.
func (p *Pool) getGo() any {
	c := p.c.Load()
	if c != nil {
		if d := c.fast.Load(); d != nil { // one section, called directly
			data, typ, st := arch.PopPointers(d)
			if st == arch.Committed {
				race.Acquire(data)
				return makeAny(typ, data)
			}
			return p.getAfter(c, rseq.Entry{P: data, Aux: typ}, st)
		}
		// No section: the fallback's hit path, when open: unpinned, then
		// pinned if the miss leaves that anything to do (private.go).
		if s := c.private.Load(); s != nil {
			var data, typ unsafe.Pointer
			if arch.PrivateSections {
				var st arch.Status
				if data, typ, st = popPrivate(s); st != arch.Committed {
					data, typ = popPinned(s, st)
				}
			} else { // pinned here, a call level less (private.go)
				data, typ = s.PopPinnedPointers(procpin.Pin())
				procpin.Unpin()
			}
			if data != nil {
				race.Acquire(data)
				return makeAny(typ, data)
			}
		}
	} else {
		c = p.cache()
	}
	return p.getSlow(c)
}

func (p *Pool) getAfter(c *cache, e rseq.Entry, st arch.Status) any {
	if e, ok := c.getAfter(0, e, st); ok {
		race.Acquire(e.P)
		return makeAny(e.Aux, e.P)
	}
	return p.miss(c)
}

// getSlow is Get without the direct section: the seed, the first call of
// a GC cycle, the fallback past its hit path, or hit counting.
func (p *Pool) getSlow(c *cache) any {
	if !c.ready.Load() {
		if e, ok, served := c.getSeed(p.limits()); ok {
			race.Acquire(e.P)
			return makeAny(e.Aux, e.P)
		} else if served {
			return p.miss(c)
		}
	}
	if e, ok := c.get(0); ok {
		race.Acquire(e.P)
		return makeAny(e.Aux, e.P)
	}
	return p.miss(c)
}

// miss returns New's value, or nil without New.
func (p *Pool) miss(c *cache) any {
	if p.New == nil {
		return nil
	}
	c.stats.news.Add(1)
	return p.New()
}

// CountHits turns the counting of the pool's Stats.Hits on or off. A hit
// costs about as much to count as to serve, so counting is off by default;
// while it is on, every Get and Put takes the slow path, which counts.
// Misses are always counted; with counting on, the hit rate is
// Hits / (Hits + Misses).
func (p *Pool) CountHits(on bool) { p.cache().countHits(on) }

// Stats reports what the pool has done and holds.
func (p *Pool) Stats() Stats { return p.c.Load().snapshot() }

// cache returns the pool's cache, creating it on first use: the zero Pool
// is ready to use.
func (p *Pool) cache() *cache {
	if c := p.c.Load(); c != nil {
		return c
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.c.Load(); c != nil {
		return c
	}
	c := newSeededCache() // its per-CPU machinery comes when the pool is busy (seed.go)
	p.c.Store(c)
	return c
}

// limits are the bounds the pool's machinery is built to.
func (p *Pool) limits() limits { return limits{classes: 1, perCPU: p.PerCPU, depot: p.Depot} }

// noCopy makes go vet's copylocks check report copies of a pool.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// root is p as arch.PopAny and PushAny take it: a Pool's first word is
// its cache (c), whose first word is its fast path's descriptor (fast) and
// second its fallback's private parts (private), as the constants below
// assert (each fails to compile, a negative uintptr, unless the two
// offsets it compares are equal; every one of those fields is an
// atomic.Pointer, a single pointer word).
func (p *Pool) root() *arch.AnyRoot { return (*arch.AnyRoot)(unsafe.Pointer(p)) }

const (
	_ = unsafe.Offsetof(Pool{}.c) - unsafe.Offsetof(arch.AnyRoot{}.Holder)
	_ = unsafe.Offsetof(arch.AnyRoot{}.Holder) - unsafe.Offsetof(Pool{}.c)
	_ = unsafe.Offsetof(cache{}.fast) - unsafe.Offsetof(arch.AnyHolder{}.Desc)
	_ = unsafe.Offsetof(arch.AnyHolder{}.Desc) - unsafe.Offsetof(cache{}.fast)
	_ = unsafe.Offsetof(cache{}.private) - unsafe.Offsetof(arch.AnyHolder{}.Private)
	_ = unsafe.Offsetof(arch.AnyHolder{}.Private) - unsafe.Offsetof(cache{}.private)
	_ = unsafe.Offsetof(cache{}.layout) - unsafe.Offsetof(arch.AnyHolder{}.Layout)
	_ = unsafe.Offsetof(arch.AnyHolder{}.Layout) - unsafe.Offsetof(cache{}.layout)
)

func init() {
	arch.SetAnyMisses(
		func(r *arch.AnyRoot) any { return (*Pool)(unsafe.Pointer(r)).getGo() },
		func(r *arch.AnyRoot, x any) { (*Pool)(unsafe.Pointer(r)).putGo(x) })
}
