package rseq

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/procpin"
	"github.com/gorseq/percpu/internal/race"
)

// A Counter is a per-CPU counter: Add is one restartable section with no
// atomic instruction, Load sums every CPU. It is the statistics primitive of
// every layer above. Where sections cannot run, Add falls back to per-P
// shards: one pinned stretch, and on 64-bit platforms no atomic instruction.
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
// the counts themselves. Every Add reads its descriptor, so it fills whole
// cache lines (padded; the allocator then starts it on a line): a
// neighbouring object that another CPU writes would make those reads
// misses (see headLine).
type counterState struct {
	counterFields
	_ [cacheLine - unsafe.Sizeof(counterFields{})%cacheLine]byte // 1 to 64 bytes: never a trailing zero-size field
}

// counterFields are a counterState's fields.
type counterFields struct {
	desc  arch.StackDesc
	cells blocks
	mem   []uintptr // the blocks' memory
	// shards[i] is P i's fallback count; spare is the count of the Ps
	// whose id is at or above len(shards) (GOMAXPROCS grew). spare is an
	// allocation of its own, not a field: 32-bit platforms align only an
	// allocation's first word to 8 bytes, as their 64-bit atomic functions
	// require.
	shards []paddedInt64
	spare  *paddedInt64
}

// paddedInt64 is a count on a block of its own: adds on one P do not slow
// down another P's. It is 8-byte aligned everywhere (the allocator aligns
// an array of them, and their size is a multiple of 8), as the 64-bit
// atomic functions require on 32-bit platforms.
type paddedInt64 struct {
	n int64
	_ [minBlock - 8]byte
}

// plainAdds says that a P adds to its own shard with a plain
// read-modify-write: only on 64-bit platforms, where Load's atomic read of
// the word sees the old or the new count, never half of each, and not
// under the race detector, which would report the plain write.
const plainAdds = !race.Enabled && unsafe.Sizeof(uintptr(0)) == 8

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
	s := &counterState{counterFields: counterFields{mem: alignedWords(int(uintptr(nIndexes)<<shift/arch.WordSize), minBlock), shards: make([]paddedInt64, shardCount()), spare: new(paddedInt64)}}
	s.cells.init(fullTable())
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
	s.addShard(delta)
}

// addShard adds delta to the calling P's shard, in one pinned stretch: the
// fallback. While the goroutine is pinned to P pid no other goroutine runs
// on that P, and shards[pid] is written only from P pid, so the plain
// read-modify-write loses no other add; the next pinned stretch on P pid,
// on whatever thread, comes after this one (the runtime hands a P from
// thread to thread with a synchronizing operation). The spare shard is
// shared, and takes atomic adds.
func (s *counterState) addShard(delta int64) {
	pid := procpin.Pin()
	if plainAdds && uint(pid) < uint(len(s.shards)) {
		s.shards[pid].n += delta
	} else if uint(pid) < uint(len(s.shards)) {
		atomic.AddInt64(&s.shards[pid].n, delta)
	} else {
		atomic.AddInt64(&s.spare.n, delta)
	}
	procpin.Unpin()
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
		sum += atomic.LoadInt64(&s.shards[i].n)
	}
	return sum + atomic.LoadInt64(&s.spare.n)
}

// noCopy makes go vet's copylocks check report copies of a Counter.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
