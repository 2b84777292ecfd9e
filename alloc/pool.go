package alloc

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/arch"
	"github.com/gorseq/percpu/rseq"
)

// A Pool is a set of temporary objects that may be individually saved and
// retrieved, with exactly the API of sync.Pool: replacing sync.Pool with
// alloc.Pool compiles and behaves as sync.Pool documents.
//
// Any item stored in the Pool may be removed automatically at any time
// without notification. A Pool is safe for use by multiple goroutines
// simultaneously. A Put happens before the Get that returns the same value.
//
// Unlike sync.Pool, a Pool in steady use keeps its values across garbage
// collections: its per-CPU caches are emptied only when the pool went a
// whole GC cycle without a Get or Put, so an idle pool drops its values at
// the second collection after its last use. The per-CPU caches are
// restartable sequences (see package rseq); a depot of batches sits behind
// them; where rseq is unavailable, or while the collector is marking, mutex
// shards stand in.
//
// A Pool must not be copied after first use.
type Pool struct {
	noCopy noCopy

	c    atomic.Pointer[cache]
	once sync.Mutex

	// New optionally specifies a function to generate a value when Get
	// would otherwise return nil. It may not be changed concurrently with
	// calls to Get.
	New func() any
}

// eface is the layout of an interface value: type word, then data word.
type eface struct {
	typ, data unsafe.Pointer
}

// Put adds x to the pool. Put(nil) does nothing, and so does a Put of a
// typed nil pointer (it has no data word to cache).
func (p *Pool) Put(x any) {
	v := *(*eface)(unsafe.Pointer(&x))
	if v.data == nil || raceDropPut() {
		return
	}
	raceRelease(v.data)
	// The fast path: one restartable section, called directly.
	if c := p.c.Load(); c != nil && c.fast != nil && c.touched.Load() {
		if st := arch.PushEntry(c.fast, v.data, v.typ, 0, 0); st != arch.Committed {
			c.putAfter(rseq.Entry{P: v.data, Aux: v.typ}, st)
		}
		return
	}
	p.cache().put(0, rseq.Entry{P: v.data, Aux: v.typ})
}

// Get selects an arbitrary item from the Pool, removes it from the Pool,
// and returns it to the caller. Get may choose to ignore the pool and treat
// it as empty. Callers should not assume any relation between values passed
// to Put and the values returned by Get.
//
// If Get would otherwise return nil and p.New is non-nil, Get returns the
// result of calling p.New.
func (p *Pool) Get() any {
	// The fast path: one restartable section, called directly.
	if c := p.c.Load(); c != nil && c.fast != nil && c.touched.Load() {
		data, typ, _, _, st := arch.PopEntry(c.fast)
		if st == arch.Committed {
			raceAcquire(data)
			var x any
			*(*eface)(unsafe.Pointer(&x)) = eface{typ: typ, data: data}
			return x
		}
		return p.getAfter(c, rseq.Entry{P: data, Aux: typ}, st)
	}
	return p.getSlow()
}

func (p *Pool) getAfter(c *cache, e rseq.Entry, st arch.Status) any {
	if e, ok := c.getAfter(e, st); ok {
		raceAcquire(e.P)
		var x any
		*(*eface)(unsafe.Pointer(&x)) = eface{typ: e.Aux, data: e.P}
		return x
	}
	return p.miss(c)
}

// getSlow is Get without the direct section: first use, fallback mode, or
// the first Get of a GC cycle (which marks the pool as in use).
func (p *Pool) getSlow() any {
	c := p.cache()
	if e, ok := c.get(0); ok {
		raceAcquire(e.P)
		var x any
		*(*eface)(unsafe.Pointer(&x)) = eface{typ: e.Aux, data: e.P}
		return x
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

// Stats reports what the pool has done and holds.
func (p *Pool) Stats() Stats { return p.c.Load().snapshot() }

// cache returns the pool's cache, creating it on first use: the zero Pool
// is ready to use.
func (p *Pool) cache() *cache {
	if c := p.c.Load(); c != nil {
		return c
	}
	return p.lazyCache()
}

func (p *Pool) lazyCache() *cache {
	p.once.Lock()
	defer p.once.Unlock()
	if c := p.c.Load(); c != nil {
		return c
	}
	c := newCache(1, 0, 0)
	p.c.Store(c)
	return c
}

// noCopy makes go vet's copylocks check report copies of a Pool.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
