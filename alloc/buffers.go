package alloc

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/procpin"
	"github.com/gorseq/percpu/internal/race"
	"github.com/gorseq/percpu/rseq"
)

// Buffers is a pool of byte slices by size class. The classes are the
// powers of two from MinBuffer to Max. Get(n) returns a slice of length n
// whose capacity is n's class size: n rounded up to a power of two. Put
// files a slice under the largest class its capacity covers, so any slice
// can be put back, and a slice is never handed out for a class larger than
// it is. Slices with less capacity than MinBuffer or more than Max are
// dropped: one huge buffer cannot pin memory (golang/go#23199).
//
// The zero Buffers is ready to use. Its fields must be set before first
// use. A Buffers must not be copied after first use.
type Buffers struct {
	noCopy noCopy

	c     atomic.Pointer[cache] // created on first use
	mu    sync.Mutex            // serializes the creation of c
	limit int                   // Max or its default; set before c is published

	// Max is the largest capacity kept (default DefaultMaxBuffer): Put
	// drops a larger slice, and Get(n) with n > Max returns a new slice of
	// capacity n. The largest class is Max rounded down to a power of two.
	Max int

	// PerCPU bounds the buffers kept per class per CPU (default
	// DefaultPerCPU), and Depot those kept per class in the depot behind
	// the CPUs (default DefaultDepot). Put drops what does not fit. Bytes
	// bound them too: at most 256 KiB per class per CPU and 4 MiB per
	// class in the depot, but always one buffer. As a Pool's, each class's
	// stack on a CPU starts at StartPerCPU buffers and grows with the
	// class's load on that CPU, up to these bounds.
	PerCPU int
	Depot  int

	// New optionally makes a slice of the given capacity (a class size, or
	// more than Max) when the pool has none; it must return at least that
	// capacity. The default is make.
	New func(capacity int) []byte
}

// Buffer size limits.
const (
	MinBuffer        = 64      // the smallest class
	DefaultMaxBuffer = 1 << 20 // the largest class by default
	minShift         = 6       // log2(MinBuffer)
)

// classOf returns the class of the smallest power of two ≥ n.
func classOf(n int) int {
	if n <= MinBuffer {
		return 0
	}
	return bits.Len(uint(n-1)) - minShift
}

// classFloor returns the class of the largest power of two ≤ capacity (-1
// below MinBuffer).
func classFloor(capacity int) int { return bits.Len(uint(capacity)) - 1 - minShift }

// classSize is the capacity of class k's slices.
func classSize(k int) int { return MinBuffer << k }

// Get returns a slice of length n. Its capacity is n's class size, or n
// when n is above Max (or above the largest class); its contents are
// arbitrary. Get panics if n is
// negative.
func (b *Buffers) Get(n int) []byte {
	if n < 0 {
		panic("alloc: Buffers.Get with negative length")
	}
	c := b.cache()
	k := classOf(n)
	if k >= len(c.depots) {
		c.stats.misses.Add(1)
		return b.make(n)[:n]
	}
	if c.fast.Load() != nil { // one section, called directly
		ptr, _, st := arch.PopPointers(c.members[k].desc)
		e, ok := rseq.Entry{P: ptr}, st == arch.Committed
		if !ok {
			e, ok = c.getAfter(k, e, st)
		}
		if ok {
			return bufferOf(e.P, k)[:n]
		}
	} else {
		// No section: the fallback's hit path, when open.
		e, ok := rseq.Entry{}, false
		if c.private.Load() != nil { // unpinned, then pinned (private.go)
			s := c.members[k].private
			if arch.PrivateSections {
				var st arch.Status
				if e.P, _, st = popPrivate(s); st != arch.Committed {
					e.P, _ = popPinned(s, st)
				}
			} else { // pinned here, a call level less (private.go)
				e.P, _ = s.PopPinnedPointers(procpin.Pin())
				procpin.Unpin()
			}
			ok = e.P != nil
		}
		if !ok {
			e, ok = c.get(k)
		}
		if ok {
			return bufferOf(e.P, k)[:n]
		}
	}
	return b.make(classSize(k))[:n:classSize(k)]
}

// bufferOf returns the class-k slice whose data pointer is p.
func bufferOf(p unsafe.Pointer, k int) []byte {
	race.Acquire(p)
	return unsafe.Slice((*byte)(p), classSize(k))
}

func (b *Buffers) make(capacity int) []byte {
	c := b.c.Load()
	c.stats.news.Add(1)
	if b.New != nil {
		return b.New(capacity)
	}
	return make([]byte, capacity)
}

// Put returns buf to the pool for reuse; its length and contents do not
// matter, and the caller must not use it afterwards. A slice whose capacity
// is below MinBuffer or above Max is dropped; Put(nil) does nothing.
func (b *Buffers) Put(buf []byte) {
	if cap(buf) == 0 {
		return
	}
	c := b.cache()
	k := classFloor(cap(buf))
	if k < 0 || cap(buf) > b.limit {
		c.stats.drops.Add(1)
		return
	}
	if raceDropPut() {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(buf))
	race.Release(p)
	e := rseq.Entry{P: p}
	if c.fast.Load() != nil { // one section, called directly
		if st := arch.PushPointers(c.members[k].desc, p, nil); st != arch.Committed {
			c.putAfter(k, e, st)
		}
		return
	}
	// No section: the fallback's hit path, when open: unpinned, then
	// pinned if the miss leaves that anything to do (private.go).
	if c.private.Load() != nil {
		s := c.members[k].private
		if arch.PrivateSections {
			if st := pushPrivate(s, p, nil); st == arch.Committed || pushPinned(s, st, p, nil) {
				return
			}
		} else { // pinned here, a call level less (private.go)
			ok := s.PushPinnedPointers(procpin.Pin(), p, nil)
			procpin.Unpin()
			if ok {
				return
			}
		}
	}
	c.put(k, e)
}

// Byte bounds per class: see Buffers.PerCPU.
const (
	perCPUBytes = 256 << 10
	depotBytes  = 4 << 20
)

// bufferLimits lowers the count bounds of large classes to the byte bounds.
func bufferLimits(k int, l limits) (perCPU, depot int) {
	size := classSize(k)
	return max(1, min(l.perCPU, perCPUBytes/size)), max(1, min(l.depot, depotBytes/size))
}

// CountHits turns the counting of the pool's Stats.Hits, over all classes,
// on or off, as Pool.CountHits does.
func (b *Buffers) CountHits(on bool) { b.cache().countHits(on) }

// Stats reports what the pool has done and holds, over all classes.
func (b *Buffers) Stats() Stats { return b.c.Load().snapshot() }

func (b *Buffers) cache() *cache {
	if c := b.c.Load(); c != nil {
		return c
	}
	return b.lazyCache()
}

func (b *Buffers) lazyCache() *cache {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c := b.c.Load(); c != nil {
		return c
	}
	b.limit = b.Max
	if b.limit <= 0 {
		b.limit = DefaultMaxBuffer
	}
	b.limit = max(b.limit, MinBuffer)
	l := limits{classes: classFloor(b.limit) + 1, perCPU: b.PerCPU, depot: b.Depot, scale: bufferLimits}
	if l.perCPU <= 0 {
		l.perCPU = DefaultPerCPU
	}
	if l.depot <= 0 {
		l.depot = DefaultDepot
	}
	c := newCache(l)
	b.c.Store(c)
	return c
}
