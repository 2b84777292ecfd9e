package alloc

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/race"
	"github.com/gorseq/percpu/rseq"
)

// Default bounds of a pool's caches.
const (
	// DefaultPerCPU is the most values a pool keeps per CPU. A pool's stack
	// on a CPU starts at StartPerCPU values (with the control words and
	// framing slots, 256 bytes) and doubles each time it overflows into the
	// depot or runs dry while the depot has values, up to this bound and
	// within the process's per-CPU budget (SetPerCPUBudget); at 256 values
	// it fills 8.3 KiB.
	DefaultPerCPU = 256
	// StartPerCPU is how many values a pool's stack on a CPU starts with.
	StartPerCPU = 4
	// DefaultDepot is how many values the depot behind the CPUs keeps, in
	// batches of up to 16.
	DefaultDepot = 512
	batchSize    = 16 // values moved between a CPU and the depot at once
)

// limits are a cache's bounds. Zero selects a default.
type limits struct {
	classes int  // members: one per size class (1 for Pool and PoolOf)
	perCPU  int  // values per member per CPU
	depot   int  // values per member in the depot
	boxes   bool // a last member keeps empty boxes for PoolOf's boxed shape

	// scale, if set, lowers the bounds of class k (Buffers: by size).
	scale func(k int, l limits) (perCPU, depot int)
}

// cache is the machinery behind Pool, PoolOf and Buffers: per class, a
// family of per-CPU entry stacks and a depot behind them; and the
// statistics. Package rseq switches the stacks to its
// fallback shards by itself for threads that cannot run sections (rseq
// unavailable); while the GC marks, the stacks stay per CPU (rseq's
// marking protocol).
//
// The fast path (the Get or Put that calls a section itself) is open while
// fast is non-nil. The GC hook closes it at every cycle and the next slow
// call reopens it, which is how the hook learns that the pool was used.
// Where sections cannot run, private plays fast's part: while it is
// non-nil, Get and Put go straight to the calling P's private part of the
// fallback shards (rseq.Private), and the hook closes it the same way.
//
// Every Get and Put reads fast (or private) and then the descriptor it
// points at, so a cache fills whole cache lines: the allocator then starts
// it on a line, and no neighbouring object that another CPU writes makes
// those reads misses. Its fields fill 224 bytes, and a pad makes four
// lines of them (TestCacheOwnsItsCacheLines): a new field of up to 32
// bytes takes the pad's place.
type cache struct {
	fast    atomic.Pointer[arch.StackDesc] // member 0's descriptor; nil: closed
	private atomic.Pointer[rseq.Private]   // member 0's fallback hit path; nil: closed
	// layout is how a PoolOf's values make entries, for the typed
	// sections (arch.LayoutPointer for a Pool, which does not use it).
	layout  uintptr
	members []member // every member's family and paths
	depots  []depot
	boxes   int         // member holding PoolOf's empty boxes; -1: none
	touched atomic.Bool // a slow call ran since the last GC cycle
	// counting is set while hits are counted (countHits); the fast path
	// stays closed meanwhile.
	counting atomic.Bool
	// collectedAt is the completed GC cycles + 1 when collect last ran
	// (0: never).
	collectedAt atomic.Int64
	// collectRefusedAt is the GC hook's count + 1 when collect last
	// refused for having run in this cycle already (0: never).
	collectRefusedAt atomic.Int64
	idle             int32 // whole GC cycles without a call; guarded by registry.mu
	// seen carries what the GC hook's swaps saw, from its first pass over
	// the caches to its second (afterGC); guarded by registry.mu.
	seen bool
	// ready is set once members and depots exist (build); until then the
	// pool's calls go to its seed (seed.go), and nothing reads them.
	ready atomic.Bool
	seed  seed
	stats counters
	_     [24]byte // to whole cache lines
}

// member is one class of a cache (or PoolOf's boxes): a family of per-CPU
// entry stacks of its own, whose one member grows and shrinks with the
// class's load, and how a Get or Put reaches it directly: its section's
// descriptor where sections run, else its P's private part of the fallback
// shards. Exactly one of desc and private is non-nil.
//
// A family per class, not one family with a member per class: a family
// can grow only its member 0 (the others' slots sit at fixed offsets in
// every block), so with one family every Buffers class but the first kept
// the size it started with.
type member struct {
	desc    *arch.StackDesc
	private *rseq.Private
	stacks  *rseq.EntryStacks
}

// newCache returns a cache with its per-CPU machinery built to l.
func newCache(l limits) *cache {
	c := newSeededCache()
	c.build(l)
	return c
}

// newSeededCache returns a cache without per-CPU machinery, for a pool's
// seed (seed.go), registered with the GC policy.
func newSeededCache() *cache {
	c := &cache{boxes: -1}
	register(c)
	return c
}

// build makes the cache's members and depots to l and sets ready. It runs
// once, before the cache is published (newCache) or under its seed's mu.
func (c *cache) build(l limits) {
	if l.perCPU <= 0 {
		l.perCPU = DefaultPerCPU
	}
	if l.depot <= 0 {
		l.depot = DefaultDepot
	}
	c.depots = make([]depot, l.classes)
	caps := make([]int, l.classes, l.classes+1)
	for k := range caps {
		caps[k], c.depots[k].max = l.perCPU, l.depot
		if l.scale != nil {
			caps[k], c.depots[k].max = l.scale(k, l)
		}
	}
	if l.boxes {
		c.boxes = len(caps)
		caps = append(caps, l.perCPU)
	}
	c.members = make([]member, len(caps))
	for k, cp := range caps {
		m := &c.members[k]
		m.stacks = rseq.NewGrowingEntryStacks([]int{cp}, min(StartPerCPU, cp))
		m.desc = m.stacks.Desc(0)
		if m.desc == nil { // no sections in this process: the fallback serves every call
			m.private = m.stacks.Private(0)
		}
	}
	c.ready.Store(true) // publishes members and depots
}

// markUsed marks the cache as used in this GC cycle.
func (c *cache) markUsed() {
	if !c.touched.Load() {
		c.touched.Store(true)
	}
}

// open marks the cache as used in this GC cycle and reopens the fast path,
// or the fallback's private path where sections cannot run (unless hits
// are being counted).
func (c *cache) open() {
	c.markUsed()
	if c.counting.Load() {
		return
	}
	if c.members[0].desc != nil {
		if c.fast.Load() == nil {
			c.fast.Store(c.members[0].desc)
			if c.counting.Load() { // countHits ran meanwhile: close again
				c.fast.Store(nil)
			}
		}
	} else if c.private.Load() == nil {
		c.private.Store(c.members[0].private)
		if c.counting.Load() {
			c.private.Store(nil)
		}
	}
}

// get returns an entry of class k from this CPU's stack or, refilling that,
// from the depot; false on a miss. It is the slow path of every Get.
func (c *cache) get(k int) (rseq.Entry, bool) {
	c.open()
	e, ok := c.stack(k).PopNear(0)
	if !ok {
		e, ok = c.refillOrCollect(k)
	}
	c.countGet(ok)
	return e, ok
}

// getAfter finishes a Get of class k whose section, called directly,
// returned e and st (anything but a clean commit).
func (c *cache) getAfter(k int, e rseq.Entry, st arch.Status) (rseq.Entry, bool) {
	if e, ok := c.stack(k).PopAfter(0, e, st); ok {
		return e, true
	}
	e, ok := c.refillOrCollect(k)
	c.countGet(ok)
	return e, ok
}

// refillOrCollect refills this CPU's empty stack k from the depot or, when
// the depot is empty too, collects what the other CPUs' stacks hold into
// the depot (at most once per GC cycle) and refills from that: values Put
// on one CPU are not out of reach of a thread that now runs on another.
//
// Where sections do not run, the other Ps' shards come between the two:
// the caller's pop took only from its own P (PopNear), so that a burst on
// every P goes to the depot before it contends for another P's shard.
func (c *cache) refillOrCollect(k int) (rseq.Entry, bool) {
	if e, ok := c.refill(k); ok {
		return e, true
	}
	if e, ok := c.stack(k).Pop(0); ok { // the other Ps' shards (a section call, with sections)
		return e, true
	}
	if !c.collect(k) {
		return rseq.Entry{}, false
	}
	return c.refill(k)
}

// collect moves every entry of class k cached on any CPU to the depot, and
// reports whether it moved any. It stops every CPU's stacks of the pool for
// the copy, so it runs at most once per GC cycle per cache, and only while
// the stacks hold something.
func (c *cache) collect(k int) bool {
	// A refusal is remembered until the GC hook next runs: the misses of a
	// CPU that keeps finding its stack and the depot empty then cost two
	// loads here, not a read of the runtime's metrics each.
	hooks := gcCycles.Load() + 1
	if c.collectRefusedAt.Load() == hooks || c.stack(k).Len(0) == 0 {
		return false
	}
	// The runtime's count, not the GC hook's: the hook runs after the
	// cycle, on the cleanup goroutine, and may not have run yet, so a
	// collect right after a cycle is allowed before its hook has run.
	last, now := c.collectedAt.Load(), int64(completedCycles())+1
	if last == now || !c.collectedAt.CompareAndSwap(last, now) {
		c.collectRefusedAt.Store(hooks)
		return false
	}
	moved := false
	_ = c.stack(k).Collect(0, func(entries []rseq.Entry) { // without the fence, nothing moves
		c.stats.collects.Add(1)
		for len(entries) > 0 {
			n := min(batchSize, len(entries))
			c.give(k, entries[:n])
			entries = entries[n:]
		}
		moved = true
	})
	return moved
}

// countGet counts a miss, and a hit while hits are counted.
func (c *cache) countGet(hit bool) {
	if !hit {
		c.stats.misses.Add(1)
	} else if c.counting.Load() {
		c.stats.hits.Add(1)
	}
}

// put caches e (e.P non-nil) in class k; when this CPU's stack is full it
// moves a batch to the depot, and drops e when the depot is full too. It is
// the slow path of every Put.
func (c *cache) put(k int, e rseq.Entry) {
	c.open()
	if !c.stack(k).Push(0, e) {
		c.overflow(k, e)
	}
}

// putAfter finishes a Put of e in class k whose section, called directly,
// returned st (anything but a clean commit).
func (c *cache) putAfter(k int, e rseq.Entry, st arch.Status) {
	if !c.stack(k).PushAfter(0, e, st) {
		c.overflow(k, e)
	}
}

// overflow caches e in class k whose stack on this CPU was full: it grows
// that stack if it may and pushes e again, or else moves a batch to the
// depot.
func (c *cache) overflow(k int, e rseq.Entry) {
	if c.stack(k).Grow() {
		c.stats.grows.Add(1)
		if c.stack(k).Push(0, e) {
			return
		}
		// The thread moved to a CPU whose stack is full: the depot.
	}
	c.toDepot(k, e)
}

// shrink halves the per-CPU stacks that were at most a quarter full at two
// GC cycles in a row, with no overflow or refill since the cycle before
// (rseq's Shrink: both call Grow), giving their bytes back to the
// per-CPU budget, and moves what no longer fits to the depot. The GC hook
// calls it once per cycle for every pool in use whose stacks have grown.
func (c *cache) shrink() {
	if !c.ready.Load() {
		return // a seed: nothing grew
	}
	for k := range c.members {
		n, _ := c.stack(k).Shrink(func(entries []rseq.Entry) {
			if k == c.boxes {
				return // empty boxes: the GC may have them
			}
			for len(entries) > 0 {
				m := min(batchSize, len(entries))
				c.give(k, entries[:m])
				entries = entries[m:]
			}
		})
		c.stats.shrinks.Add(int64(n))
	}
}

// refill moves up to moveSize entries of class k, the depot's newest, to
// this CPU's stack, except one, which it returns; false when the depot is
// empty.
func (c *cache) refill(k int) (rseq.Entry, bool) {
	var b [batchSize]rseq.Entry // on the stack: no garbage per refill
	n := c.depots[k].take(b[:c.moveSize(k)])
	if n == 0 {
		return rseq.Entry{}, false
	}
	if c.stack(k).Grow() { // this CPU ran dry with values in the depot
		c.stats.grows.Add(1)
	}
	for i := 0; i < n-1; i++ {
		if !c.stack(k).Push(0, b[i]) { // another thread filled this CPU meanwhile
			c.give(k, b[i:n-1])
			break
		}
	}
	return b[n-1], true
}

// toDepot moves e and up to moveSize-1 entries of this CPU's stack k to
// the depot.
func (c *cache) toDepot(k int, e rseq.Entry) {
	var b [batchSize]rseq.Entry // on the stack: no garbage per move
	b[0] = e
	n := 1
	for m := c.moveSize(k); n < m; n++ {
		x, ok := c.stack(k).PopNear(0) // this CPU's (or P's) only
		if !ok {
			break
		}
		b[n] = x
	}
	c.give(k, b[:n])
}

// moveSize is how many entries of class k a refill or an overflow moves
// between this CPU's stack and the depot: half the stack's capacity here,
// at least one and at most a batch. Moving more would leave a small stack
// empty after an overflow and full after a refill, and then a Get and a
// Put alternating at its edge would both reach the depot every time (a
// Buffers class of 8 per CPU did, once two threads had shared a CPU);
// half full, the stack has room both ways.
func (c *cache) moveSize(k int) int {
	return min(batchSize, max(1, c.stack(k).CapacityHere(0)/2))
}

// give stores entries in the depot as one batch, and drops what does not
// fit.
func (c *cache) give(k int, entries []rseq.Entry) {
	n := c.depots[k].give(entries)
	if n < len(entries) {
		c.stats.drops.Add(int64(len(entries) - n))
	}
}

// takeBox pops an empty box of PoolOf's boxed shape; nil when none.
func (c *cache) takeBox() unsafe.Pointer {
	var e rseq.Entry
	if c.fast.Load() == nil {
		if c.private.Load() != nil { // unpinned, then pinned (private.go)
			s := c.members[c.boxes].private
			var st arch.Status
			if e.P, _, st = popPrivate(s); st != arch.Committed {
				e.P, _ = popPinned(s, st)
			}
		}
		if e.P == nil {
			e, _ = c.stack(c.boxes).Pop(0)
		}
	} else {
		var st arch.Status
		e.P, _, st = arch.PopPointers(c.members[c.boxes].desc) // one section, called directly
		if st != arch.Committed {
			// Any other status, a commit that took aborts included, is
			// finished by PopAfter.
			e, _ = c.stack(c.boxes).PopAfter(0, e, st)
		}
	}
	if e.P != nil {
		race.Acquire(e.P) // the box's last user is done with it (see keepBox)
	}
	return e.P
}

// keepBox stores an empty box for a later Put, or lets the GC have it.
func (c *cache) keepBox(box unsafe.Pointer) {
	race.Release(box)
	if c.fast.Load() == nil {
		ok := false
		if c.private.Load() != nil { // unpinned, then pinned (private.go)
			s := c.members[c.boxes].private
			st := pushPrivate(s, box, nil)
			ok = st == arch.Committed || pushPinned(s, st, box, nil)
		}
		if !ok && !c.stack(c.boxes).Push(0, rseq.Entry{P: box}) {
			c.growBoxes(box)
		}
	} else if st := arch.PushPointers(c.members[c.boxes].desc, box, nil); st != arch.Committed {
		if !c.stack(c.boxes).PushAfter(0, rseq.Entry{P: box}, st) {
			c.growBoxes(box)
		}
	}
}

// growBoxes keeps box, which found this CPU's stack of boxes full, if that
// stack may grow; else the GC has it. Boxes go with the values of the
// class: a burst of Puts needs as many.
func (c *cache) growBoxes(box unsafe.Pointer) {
	if c.stack(c.boxes).Grow() {
		c.stats.grows.Add(1)
		c.stack(c.boxes).Push(0, rseq.Entry{P: box})
	}
}

// release drops every value the cache holds: per-CPU stacks, shards and
// depots. Without a fence the per-CPU stacks keep theirs (rseq.Drain).
func (c *cache) release() {
	if n := c.releaseSeed(); n >= 0 {
		c.stats.released.Add(n)
		return
	}
	var released int64
	for k := range c.members {
		c.stack(k).Drain(func(_ int, entries []rseq.Entry) {
			if k != c.boxes {
				released += int64(len(entries))
			}
		})
	}
	for k := range c.depots {
		released += int64(c.depots[k].clear())
	}
	c.stats.released.Add(released)
}

// stack returns the family of member k.
func (c *cache) stack(k int) *rseq.EntryStacks { return c.members[k].stacks }

// footprint sums Footprint over the members: the bytes of their per-CPU
// blocks, the most CPUs any has a block on, and the largest capacity.
func (c *cache) footprint() (bytes int64, cpus, limit int) {
	if !c.ready.Load() {
		return 0, 0, 0 // a seed: no per-CPU memory
	}
	for k := range c.members {
		b, n, l := c.stack(k).Footprint()
		bytes, cpus, limit = bytes+b, max(cpus, n), max(limit, l)
	}
	return bytes, cpus, limit
}

// cached counts the values the cache holds now (approximately: the
// per-CPU stacks may be in use).
func (c *cache) cached() int64 {
	if n := c.seeded(); n >= 0 {
		return n
	}
	n := 0
	for k := range c.depots {
		n += c.stack(k).Len(0) + c.depots[k].len()
	}
	return int64(n)
}
