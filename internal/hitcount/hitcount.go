// Package hitcount holds the hit counters of alloc's pools and slab's size
// classes: per-CPU counters (rseq.Counter) created at the first hit, so
// that a pool or class whose hits are never counted pays one nil pointer
// for its counter, not a per-CPU block.
package hitcount

import (
	"sync/atomic"

	"github.com/gorseq/percpu/rseq"
)

// A Counter counts hits. The zero Counter is ready to use and reads 0.
type Counter struct {
	c atomic.Pointer[rseq.Counter] // nil until the first Add
}

// Add counts n hits, creating the per-CPU counter on first use.
func (h *Counter) Add(n int64) {
	c := h.c.Load()
	if c == nil {
		h.c.CompareAndSwap(nil, rseq.NewCounter())
		c = h.c.Load()
	}
	c.Add(n)
}

// Load returns the hits counted so far.
func (h *Counter) Load() int64 {
	if c := h.c.Load(); c != nil {
		return c.Load()
	}
	return 0
}
