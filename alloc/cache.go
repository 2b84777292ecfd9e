package alloc

import (
	"sync"
	"sync/atomic"

	"github.com/gorseq/percpu/arch"
	"github.com/gorseq/percpu/rseq"
)

// Defaults for the per-CPU caches and the depot behind them.
const (
	DefaultPerCPU = 128 // entries per class per CPU
	DefaultDepot  = 64  // batches per class in the depot
	batchSize     = 16  // entries moved between a CPU and the depot at once
)

// cache is the machinery behind Pool, PoolOf and Buffers: per-CPU entry
// stacks (one member per class), a depot of batches per class behind them,
// and the statistics. The per-CPU stacks fall back to mutex shards by
// themselves (rseq unavailable, GC marking).
type cache struct {
	// fast is member 0's section descriptor while sections run (else nil):
	// Pool and PoolOf call the section directly with it.
	fast    *arch.StackDesc
	stacks  *rseq.EntryStacks
	depots  []depot
	touched atomic.Bool // set by Get and Put; cleared at every GC cycle
	idle    int         // GC cycles without a touch; guarded by registry.mu
	stats   counters
}

func newCache(classes, perCPU, depotBatches int) *cache {
	if perCPU <= 0 {
		perCPU = DefaultPerCPU
	}
	if depotBatches <= 0 {
		depotBatches = DefaultDepot
	}
	caps := make([]int, classes)
	for i := range caps {
		caps[i] = perCPU
	}
	c := &cache{stacks: rseq.NewEntryStacks(caps), depots: make([]depot, classes)}
	c.fast = c.stacks.Desc(0)
	for i := range c.depots {
		c.depots[i].max = depotBatches
	}
	register(c)
	return c
}

// get returns an entry of class k from this CPU's cache or, refilling that
// from the depot, from the depot; false on a miss.
func (c *cache) get(k int) (rseq.Entry, bool) {
	if !c.touched.Load() {
		c.touched.Store(true)
	}
	if e, ok := c.stacks.Pop(k); ok {
		return e, true
	}
	return c.refill(k)
}

// getAfter finishes a get of class 0 whose section, called directly with
// c.fast, returned e and st (not a clean commit).
func (c *cache) getAfter(e rseq.Entry, st arch.Status) (rseq.Entry, bool) {
	if e, ok := c.stacks.PopAfter(0, e, st); ok {
		return e, true
	}
	return c.refill(0)
}

// putAfter finishes a put of e in class 0 whose section, called directly
// with c.fast, returned st (not a clean commit).
func (c *cache) putAfter(e rseq.Entry, st arch.Status) {
	if !c.stacks.PushAfter(0, e, st) {
		c.spill(0, e)
	}
}

func (c *cache) refill(k int) (rseq.Entry, bool) {
	var batch [batchSize]rseq.Entry // on the stack: no garbage per refill
	n := c.depots[k].take(&batch)
	if n == 0 {
		c.stats.misses.Add(1)
		return rseq.Entry{}, false
	}
	c.stats.depotOut.Add(1)
	for i := 0; i < n-1; i++ {
		if !c.stacks.Push(k, batch[i]) { // another thread filled this CPU meanwhile
			if !c.depots[k].give(batch[i : n-1]) {
				c.stats.drops.Add(int64(n - 1 - i))
			}
			break
		}
	}
	return batch[n-1], true
}

// put caches e (e.P non-nil) in class k; when this CPU's stack is full it
// moves a batch to the depot first, and drops e when the depot is full too.
func (c *cache) put(k int, e rseq.Entry) {
	if !c.touched.Load() {
		c.touched.Store(true)
	}
	if c.stacks.Push(k, e) {
		return
	}
	c.spill(k, e)
}

func (c *cache) spill(k int, e rseq.Entry) {
	var batch [batchSize]rseq.Entry // on the stack: no garbage per spill
	batch[0] = e
	n := 1
	for ; n < batchSize; n++ {
		x, ok := c.stacks.Pop(k)
		if !ok {
			break
		}
		batch[n] = x
	}
	if !c.depots[k].give(batch[:n]) {
		c.stats.drops.Add(int64(n))
		return
	}
	c.stats.depotIn.Add(1)
}

// release drops every value the cache holds: per-CPU stacks, shards and
// depot. Per-CPU stacks need the fence; without one they keep theirs.
func (c *cache) release() {
	c.stacks.Drain(func(int, []rseq.Entry) {})
	for i := range c.depots {
		c.depots[i].clear()
	}
}

// cached counts the values the cache holds now (approximately).
func (c *cache) cached() int64 {
	n := 0
	for k := range c.depots {
		n += c.stacks.Len(k) + c.depots[k].len()
	}
	return int64(n)
}

// depot is one class's stack of batches, under a mutex: it is touched once
// per batchSize operations at most. Batch buffers are recycled, so moving
// values between CPUs and the depot makes no garbage.
type depot struct {
	mu    sync.Mutex
	full  []*batch // guarded by mu
	empty []*batch // guarded by mu; cleared, ready for reuse
	max   int
}

type batch struct {
	n int
	e [batchSize]rseq.Entry
}

// take moves the newest batch into dst and returns its length (0: none).
func (d *depot) take(dst *[batchSize]rseq.Entry) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	last := len(d.full) - 1
	if last < 0 {
		return 0
	}
	b := d.full[last]
	d.full[last] = nil
	d.full = d.full[:last]
	n := copy(dst[:], b.e[:b.n])
	clear(b.e[:b.n]) // the depot keeps no reference to what it handed out
	b.n = 0
	d.empty = append(d.empty, b)
	return n
}

// give stores a copy of entries (at most batchSize); false when full.
func (d *depot) give(entries []rseq.Entry) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.full) >= d.max {
		return false
	}
	var b *batch
	if last := len(d.empty) - 1; last >= 0 {
		b, d.empty = d.empty[last], d.empty[:last]
	} else {
		b = new(batch)
	}
	b.n = copy(b.e[:], entries)
	d.full = append(d.full, b)
	return true
}

func (d *depot) clear() {
	d.mu.Lock()
	d.full, d.empty = nil, nil
	d.mu.Unlock()
}

func (d *depot) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, b := range d.full {
		n += b.n
	}
	return n
}
