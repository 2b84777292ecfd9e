package slab

import (
	"sync"
	"sync/atomic"
)

// The depot of one size class sits between the CPUs' caches and the
// central lists: a bounded stack of object addresses under a mutex. A CPU
// whose cache runs dry takes a batch from it; a CPU whose cache overflows
// leaves a batch in it. It lets one CPU's frees feed another CPU's
// allocations without visiting the spans. What does not fit goes on to the
// central lists.
//
// One mutex per class has been enough on the machines measured (see
// docs/slab.md); the batch moves amortize it over up to 32 objects.
type depot struct {
	mu    sync.Mutex
	objs  []uintptr    // guarded by mu; the stack, never longer than max
	max   int          // set at construction
	count atomic.Int64 // len(objs), for Stats
}

func (d *depot) init(max int) {
	d.max = max
	d.objs = make([]uintptr, 0, max)
}

// take pops up to len(dst) objects into dst and returns how many.
func (d *depot) take(dst []uintptr) int {
	if d.count.Load() == 0 {
		return 0
	}
	d.mu.Lock()
	n := min(len(dst), len(d.objs))
	rest := len(d.objs) - n
	copy(dst, d.objs[rest:])
	d.objs = d.objs[:rest]
	d.count.Store(int64(rest))
	d.mu.Unlock()
	return n
}

// put pushes as many of objs as fit and returns the rest.
func (d *depot) put(objs []uintptr) (rest []uintptr) {
	d.mu.Lock()
	n := min(len(objs), d.max-len(d.objs))
	d.objs = append(d.objs, objs[:n]...)
	d.count.Store(int64(len(d.objs)))
	d.mu.Unlock()
	return objs[n:]
}

// takeAll empties the depot and returns what it held.
func (d *depot) takeAll() []uintptr {
	d.mu.Lock()
	out := append([]uintptr(nil), d.objs...)
	d.objs = d.objs[:0]
	d.count.Store(0)
	d.mu.Unlock()
	return out
}
