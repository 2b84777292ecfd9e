package alloc

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/rseq"
)

// Buffers is a pool of byte slices by size class: the classes are the
// powers of two from MinBuffer to Max. Get(n) returns a slice of length n
// whose capacity is n rounded up to its class; Put files a slice by its
// capacity, rounded down to a class, so a slice of any capacity can be put
// back and is never handed out for a larger request than it holds. Slices
// smaller than MinBuffer or larger than Max are dropped: one huge buffer
// cannot pin memory (golang/go#23199).
//
// The zero Buffers is ready to use, with Max = DefaultMaxBuffer. Max and
// PerCPU must be set before first use. A Buffers must not be copied after
// first use.
type Buffers struct {
	noCopy noCopy

	c    atomic.Pointer[cache]
	once sync.Mutex

	Max    int // largest capacity kept (rounded down to a power of two)
	PerCPU int // buffers per class per CPU (default 8)

	// New optionally makes a buffer of the given capacity when the pool has
	// none of its class (default: make). It must return at least that
	// capacity.
	New func(capacity int) []byte
}

// Buffer size limits.
const (
	MinBuffer        = 64
	DefaultMaxBuffer = 1 << 20
	minShift         = 6 // log2(MinBuffer)
)

// classOf returns the class whose size is the smallest power of two ≥ n.
func classOf(n int) int {
	if n <= MinBuffer {
		return 0
	}
	return bits.Len(uint(n-1)) - minShift
}

// classFloor returns the class whose size is the largest power of two ≤ c.
func classFloor(c int) int { return bits.Len(uint(c)) - 1 - minShift }

func (b *Buffers) classes() int {
	limit := b.Max
	if limit <= 0 {
		limit = DefaultMaxBuffer
	}
	return max(1, classFloor(limit)+1)
}

// Get returns a slice of length n and capacity at least n (n's class size,
// or exactly n when n is above Max). Its contents are arbitrary.
func (b *Buffers) Get(n int) []byte {
	if n < 0 {
		panic("alloc: Buffers.Get with negative length")
	}
	c := b.cache()
	k := classOf(n)
	if k >= len(c.depots) {
		return b.make(n)[:n]
	}
	if e, ok := c.get(k); ok {
		raceAcquire(e.P)
		return unsafe.Slice((*byte)(e.P), e.N1)[:n]
	}
	c.stats.news.Add(1)
	return b.make(MinBuffer << k)[:n]
}

func (b *Buffers) make(capacity int) []byte {
	if b.New != nil {
		return b.New(capacity)
	}
	return make([]byte, capacity)
}

// Put returns buf to the pool for reuse; its length does not matter. A
// buffer below MinBuffer or above Max is dropped.
func (b *Buffers) Put(buf []byte) {
	c := b.cache()
	capacity := cap(buf)
	if capacity < MinBuffer || capacity > MinBuffer<<(len(c.depots)-1) {
		c.stats.drops.Add(1)
		return
	}
	k := classFloor(capacity)
	if raceDropPut() {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(buf[:1]))
	raceRelease(p)
	c.put(k, rseq.Entry{P: p, N1: uintptr(capacity)})
}

// Stats reports what the pool has done and holds, over all classes.
func (b *Buffers) Stats() Stats { return b.c.Load().snapshot() }

func (b *Buffers) cache() *cache {
	if c := b.c.Load(); c != nil {
		return c
	}
	b.once.Lock()
	defer b.once.Unlock()
	if c := b.c.Load(); c != nil {
		return c
	}
	perCPU := b.PerCPU
	if perCPU <= 0 {
		perCPU = 8
	}
	c := newCache(b.classes(), perCPU, 0)
	b.c.Store(c)
	return c
}
