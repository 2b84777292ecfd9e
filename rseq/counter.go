package rseq

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
)

// A Counter is a per-CPU counter: Add is one restartable section with no
// atomic instruction, Load sums every CPU. It is the statistics primitive of
// every layer above. Where sections cannot run, Add falls back to atomic
// adds on per-P shards.
//
// The zero Counter is ready to use, like atomic.Int64: its per-CPU memory
// is allocated by the first Add. A Counter must not be copied after first
// use.
type Counter struct {
	_ noCopy
	// s is nil until the first Add publishes the counter's memory; once
	// set it never changes, so every Add and Load of the counter works on
	// the same cells.
	s atomic.Pointer[counterState]
}

// counterState is a Counter's memory: immutable after publication but for
// the counts themselves.
type counterState struct {
	desc   arch.StackDesc
	cells  blocks
	mem    []uintptr // the blocks' memory
	shards []paddedInt64
}

type paddedInt64 struct {
	atomic.Int64
	_ [minBlock - 8]byte
}

// NewCounter returns a counter at zero, its memory already allocated. A
// zero Counter is equivalent; NewCounter only moves the allocation out of
// the first Add.
func NewCounter() *Counter {
	c := new(Counter)
	c.s.Store(newCounterState())
	return c
}

func newCounterState() *counterState {
	shift := blockShift(arch.ControlBytes(1))
	s := &counterState{mem: alignedWords(nIndexes<<shift/8, minBlock), shards: make([]paddedInt64, shardCount())}
	s.cells = newBlocks()
	s.cells.fill(unsafe.Pointer(&s.mem[0]), shift)
	s.desc = s.cells.desc(arch.TopOffset(0), 0)
	return s
}

// state returns the counter's memory, allocating it on first use. Racing
// first Adds each allocate, and one CompareAndSwap picks the winner: every
// caller returns the published state, so no Add lands in memory that Load
// does not read.
func (c *Counter) state() *counterState {
	if s := c.s.Load(); s != nil {
		return s
	}
	c.s.CompareAndSwap(nil, newCounterState())
	return c.s.Load()
}

// Add adds delta to the counter.
func (c *Counter) Add(delta int64) {
	s := c.s.Load()
	if s == nil {
		s = c.state()
	}
	if on {
		st := arch.CounterAdd(&s.desc, delta)
		if st == arch.Committed || s.addSlow(delta, st) {
			return
		}
	}
	s.shards[shardHint()&(len(s.shards)-1)].Add(delta)
}

// addSlow handles a status other than a clean commit; false means the shards.
func (s *counterState) addSlow(delta int64, st arch.Status) bool {
	st, _ = settle(st, func() arch.Status { return arch.CounterAdd(&s.desc, delta) })
	return st.Outcome() == arch.Committed
}

// Load returns the sum of every CPU's count. Adds that run concurrently may
// or may not be included. A counter nobody has added to reads 0.
func (c *Counter) Load() int64 {
	s := c.s.Load()
	if s == nil {
		return 0
	}
	var sum int64
	for i := 0; i < nIndexes; i++ {
		sum += int64(atomic.LoadUintptr(s.cells.word(i, arch.TopOffset(0))))
	}
	for i := range s.shards {
		sum += s.shards[i].Load()
	}
	return sum
}

// noCopy makes go vet's copylocks check report copies of a Counter.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
