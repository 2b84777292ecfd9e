package alloc

import (
	"sync"
	"sync/atomic"

	"github.com/gorseq/percpu/arch"
	"github.com/gorseq/percpu/rseq"
)

// Defaults for the per-CPU caches and the depot behind them.
const (
	DefaultPerCPU = 32 // entries per class per CPU
	DefaultDepot  = 64 // batches per class in the depot
	batchSize     = 16 // entries moved between a CPU and the depot at once
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
	batch := c.depots[k].take()
	if batch == nil {
		c.stats.misses.Add(1)
		return rseq.Entry{}, false
	}
	c.stats.depotOut.Add(1)
	e := batch[len(batch)-1]
	for i, x := range batch[:len(batch)-1] {
		if !c.stacks.Push(k, x) { // another thread filled this CPU meanwhile
			if rest := batch[i : len(batch)-1]; !c.depots[k].give(rest) {
				c.stats.drops.Add(int64(len(rest)))
			}
			break
		}
	}
	return e, true
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
	batch := make([]rseq.Entry, 0, batchSize)
	batch = append(batch, e)
	for len(batch) < batchSize {
		x, ok := c.stacks.Pop(k)
		if !ok {
			break
		}
		batch = append(batch, x)
	}
	if !c.depots[k].give(batch) {
		c.stats.drops.Add(int64(len(batch)))
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

// depot is one class's stack of full batches, under a mutex: it is touched
// once per batchSize operations at most.
type depot struct {
	mu      sync.Mutex
	batches [][]rseq.Entry // guarded by mu
	max     int
}

func (d *depot) take() []rseq.Entry {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(d.batches)
	if n == 0 {
		return nil
	}
	b := d.batches[n-1]
	d.batches[n-1] = nil
	d.batches = d.batches[:n-1]
	return b
}

// give stores a copy of batch; false when the depot is full.
func (d *depot) give(batch []rseq.Entry) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.batches) >= d.max {
		return false
	}
	d.batches = append(d.batches, append([]rseq.Entry(nil), batch...))
	return true
}

func (d *depot) clear() {
	d.mu.Lock()
	d.batches = nil
	d.mu.Unlock()
}

func (d *depot) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, b := range d.batches {
		n += len(b)
	}
	return n
}
