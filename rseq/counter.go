package rseq

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/arch"
)

// A Counter is a per-CPU counter: Add is one restartable section with no
// atomic instruction, Load sums every CPU. It is the statistics primitive of
// every layer above. Where sections cannot run, Add falls back to atomic
// adds on per-P shards.
type Counter struct {
	desc  arch.StackDesc
	cells blocks
	mem   []uintptr // the blocks' memory
	spill []paddedInt64
}

type paddedInt64 struct {
	atomic.Int64
	_ [minBlock - 8]byte
}

// NewCounter returns a counter at zero.
func NewCounter() *Counter {
	shift := blockShift(arch.ControlBytes(1))
	c := &Counter{mem: alignedWords(nIndexes<<shift/8, minBlock), spill: make([]paddedInt64, shardCount())}
	c.cells = blocks{base: unsafe.Pointer(&c.mem[0]), shift: shift}
	c.desc = c.cells.desc(arch.TopOffset(0), 0)
	return c
}

// Add adds delta to the counter.
func (c *Counter) Add(delta int64) {
	if on {
		st := arch.CounterAdd(&c.desc, delta)
		if st == arch.Committed || c.addSlow(delta, st) {
			return
		}
	}
	c.spill[shardHint()&(len(c.spill)-1)].Add(delta)
}

// addSlow handles a status other than a clean commit; false means spill.
func (c *Counter) addSlow(delta int64, st arch.Status) bool {
	st, _ = settle(st, func() arch.Status { return arch.CounterAdd(&c.desc, delta) })
	return st.Outcome() == arch.Committed
}

// Load returns the sum of every CPU's count. Adds that run concurrently may
// or may not be included.
func (c *Counter) Load() int64 {
	var sum int64
	for i := 0; i < nIndexes; i++ {
		sum += int64(atomic.LoadUintptr(c.cells.word(i, arch.TopOffset(0))))
	}
	for i := range c.spill {
		sum += c.spill[i].Load()
	}
	return sum
}
