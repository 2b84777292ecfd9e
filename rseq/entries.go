package rseq

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/race"
)

// Entry is what an EntryStacks slot holds: a Go pointer P (never nil in a
// stack), a second Go pointer Aux and two plain words — an interface value
// (data, type) or a slice (pointer, len, cap) without boxing.
type Entry = arch.Entry

// EntryStacks is a family of bounded per-CPU stacks of entries that hold Go
// pointers, in memory the GC scans. It is what alloc.Pool caches values in.
//
// The sections store Go pointers without write barriers, which is only
// correct while the garbage collector is not marking; while it is, Push and
// Pop run the marking protocol (marking.go), which keeps them on the
// per-CPU stacks. The mutex shards serve only threads that cannot run
// sections. A stack's slots above its top always hold a nil P, so the
// family never keeps a reference to a value that was popped; the marking
// protocol keeps the last value each P shaded until ReleaseShaded.
//
// Memory: a CPU index gets its block (every member's stack on that index)
// the first time a thread pushes there, so a family costs memory only on
// the CPUs that use it; Drain gives the blocks back. Member 0 may start
// smaller than its capacity and grow (Grow) one index at a time, within the
// process's per-CPU budget (budget.go).
type EntryStacks struct {
	stacks
	start int // member 0's capacity in a new block
	// spills are the fallback shards, allocated at their first use (a
	// family whose threads all run sections never needs them).
	spills atomic.Pointer[spills[Entry]]
	// mu serializes drains and block changes (first blocks, growth).
	mu sync.Mutex
	// shardsUsed is set, before the first push to a shard, once a thread
	// that cannot run sections has pushed there; until then a pop that
	// finds its CPU's stack empty does not lock the shards to look.
	shardsUsed atomic.Bool
	// quiet counts, per index, the Shrinks in a row (up to the last) that
	// found member 0 at most a quarter full and the index not asking to
	// grow since the Shrink before (shrink.go); guarded by mu.
	quiet []uint8
	// asked has bit i%64 set when a Grow ran on index i since the last
	// Shrink: the stack ran dry while the depot had values, or overflowed.
	// (Indexes 64 apart share a bit: an ask there only delays a shrink.)
	asked atomic.Uint64
	// held is what the family holds against the per-CPU budget, given
	// back by a cleanup if the family is dropped undrained (budget.go);
	// nil until its first block. Set with mu held.
	held *reservation
}

// liveSentinel is what every stack's slot[-1] points at: a slot that always
// looks live, so the sections never test for the bottom of the stack.
var liveSentinel byte

// NewEntryStacks returns a family with one member per capacity.
func NewEntryStacks(capacities []int) *EntryStacks {
	return NewGrowingEntryStacks(capacities, capacities[0])
}

// NewGrowingEntryStacks returns a family with one member per capacity whose
// member 0 starts at start entries per CPU (at most capacities[0]) and grows
// by Grow.
func NewGrowingEntryStacks(capacities []int, start int) *EntryStacks {
	// Each member's slots are framed by slot[-1] (live sentinel) and
	// slot[cap] (always nil).
	slotOff, _ := layout(capacities, arch.EntrySize, 2)
	if start <= 0 || start > capacities[0] {
		panic(fmt.Sprintf("rseq: starting capacity %d is not in [1, %d]", start, capacities[0]))
	}
	s := &EntryStacks{start: start}
	s.stacks.init(capacities, slotOff, true)
	return s
}

// blockBytes is the size of a block whose member 0 has cap0 slots, rounded
// up to a cache line. Member 0's slots come last (see layout), so only its
// framing slot[cap0] ends the block.
func (s *EntryStacks) blockBytes(cap0 int) uintptr {
	return (s.slotOff[0] + uintptr(cap0+1)*arch.EntrySize + 63) &^ 63
}

// newBlock returns a block with member 0 at cap0 slots: capacities written,
// sentinels set, every stack empty, not stopped.
func (s *EntryStacks) newBlock(cap0 int) unsafe.Pointer {
	b := unsafe.Pointer(&cacheLines(int(s.blockBytes(cap0) / arch.EntrySize))[0])
	for k, c := range s.caps {
		if k == 0 {
			c = cap0
		}
		*(*uintptr)(unsafe.Add(b, arch.TopOffset(k)+arch.CapOff)) = uintptr(c)
		(*Entry)(unsafe.Add(b, s.slotOff[k]-arch.EntrySize)).P = unsafe.Pointer(&liveSentinel)
	}
	return b
}

// cacheLines returns n zeroed entries (n*EntrySize a multiple of 64) on
// cache lines that no other object shares, so that no other index's block,
// and nothing another CPU writes, shares a line with them. The allocator
// places objects of a size class that is a multiple of 64 bytes, as every
// class from 256 bytes up is, on 64-byte boundaries, and the padded
// allocation is for the classes below. Above mallocHeaderMax bytes the
// allocator puts a one-word header first, so the entries start a word past
// a line: no skip can move a typed slice of 32-byte entries onto a line
// (the GC's map of its pointers moves with it), and none is needed for
// sharing, since the object's lines are still its own. Every other entry
// then straddles two of them.
func cacheLines(n int) []Entry {
	size := uintptr(n) * arch.EntrySize
	if size < 256 {
		return alignedEntries(n, 64)
	}
	e := make([]Entry, n)
	if size <= mallocHeaderMax && uintptr(unsafe.Pointer(&e[0]))%64 != 0 {
		return alignedEntries(n, 64) // not expected: see above
	}
	return e
}

// mallocHeaderMax is the largest allocation holding pointers that the Go
// allocator (since Go 1.22) puts no malloc header (one word) in front of:
// one bit per word of the object fits in a word, so 512 bytes on 64-bit
// targets and 128 on 32-bit ones. A larger one is not 64-byte aligned,
// however it is padded by whole elements of 16 bytes or more. Getting this
// wrong costs an allocation, not correctness: every use checks the address
// it got.
const mallocHeaderMax = arch.WordSize * 8 * arch.WordSize

// capacity returns member k's capacity in index i's block (which must not
// be the placeholder).
func (s *EntryStacks) capacity(i, k int) int { return capacityIn(s.block(i), k) }

// capacityIn returns member k's capacity in block b.
func capacityIn(b unsafe.Pointer, k int) int {
	return int(atomic.LoadUintptr((*uintptr)(unsafe.Add(b, arch.TopOffset(k)+arch.CapOff))))
}

// framed returns member k's slots in index i's block (which must not be
// the placeholder) with their sentinels: element 0 is slot[-1], element
// cap+1 is slot[cap].
func (s *EntryStacks) framed(i, k int) []Entry {
	return unsafe.Slice((*Entry)(unsafe.Add(s.block(i), s.slotOff[k]-arch.EntrySize)), s.capacity(i, k)+2)
}

// shards returns the family's fallback shards, allocating them at first use.
func (s *EntryStacks) shards() *spills[Entry] {
	if sp := s.spills.Load(); sp != nil {
		return sp
	}
	sp := newSpills[Entry](len(s.caps))
	s.spills.CompareAndSwap(nil, &sp)
	return s.spills.Load()
}

// currentIndex returns the calling thread's index, or false when it cannot
// run sections.
func currentIndex() (int, bool) {
	if !on {
		return 0, false
	}
	idx, st := arch.CurrentIndex()
	if st.Outcome() != arch.Committed || int(idx) >= nIndexes {
		return 0, false
	}
	return int(idx), true
}

// allocateHere gives the calling thread's index a block if it has none,
// and reports whether it did.
func (s *EntryStacks) allocateHere() bool {
	i, ok := currentIndex()
	if !ok || s.has(i) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.has(i) {
		return true // another thread did
	}
	s.growTable(i)
	b := s.newBlock(s.start)
	s.reserve(i, int64(s.blockBytes(s.start)), true)
	s.set(i, b) // publishes the block's contents
	return true
}

// growTable makes the block table long enough for index i (below
// nIndexes): a copy at least twice as long replaces it. Called with s.mu
// held, which every change to the table's entries holds too, so the copy
// misses none.
//
// Sections read the table through each member's descriptor: N, then
// Blocks (the assembly orders the two loads). The descriptors get the new
// table first and its length after, so a section that reads the new N
// reads the new table, and one that reads an old N indexes whichever table
// it reads within that N. An old table stays correct to read: an entry
// that changes after the copy changes in the new table only, and the old
// entry then leads to a block whose stop word is set for good (a replaced
// or drained block) or to the placeholder, so a section that finds it
// leaves Stopped and its caller looks again (pushAgain, popAgain).
func (s *EntryStacks) growTable(i int) {
	old := s.table()
	if i < len(old) {
		return
	}
	n := min(nIndexes, max(i+1, 2*len(old)))
	t := linePointers(n)
	copy(t, old)
	fillPlaceholders(t[len(old):])
	s.tab.Store(&t)
	for _, d := range s.descs {
		atomic.StorePointer(&d.Blocks, unsafe.Pointer(&t[0]))
	}
	if betweenTableStores != nil {
		betweenTableStores()
	}
	for _, d := range s.descs {
		atomic.StoreUintptr(&d.N, uintptr(n))
	}
}

// betweenTableStores, when set (by tests, before any family they use
// exists), runs between growTable's stores of the table and of N, to widen
// the gap a section could read them across.
var betweenTableStores func()

// pastTable reports whether the calling thread's index lies beyond the
// block table, which its sections report as Unavailable: the index has no
// block yet (and the table grows when it gets one).
func (s *EntryStacks) pastTable() bool {
	i, ok := currentIndex()
	return ok && i >= len(s.table())
}

// Grow doubles member 0's capacity on the calling thread's index, up to the
// family's capacity and within the per-CPU budget, and reports whether it
// did. It moves the index's entries to a new block: the old one is stopped
// and fenced first, so no section is left writing to it, and stays stopped.
// A caller grows a stack that overflowed or ran dry; Grow is cheap when it
// cannot grow.
func (s *EntryStacks) Grow() bool {
	i, ok := currentIndex()
	return ok && s.grow(i)
}

// grow grows member 0 on index i (Grow's, for any index: the thread may
// have moved since it read its index, so grow never assumes it runs there).
func (s *EntryStacks) grow(i int) bool {
	if bit := uint64(1) << (i % 64); s.asked.Load()&bit == 0 { // a write only at the first ask between two Shrinks
		s.asked.Or(bit)
	}
	if b := s.block(i); b == placeholder || capacityIn(b, 0) >= s.caps[0] {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.block(i)
	if old == placeholder {
		return false // drained meanwhile
	}
	cap0 := s.capacity(i, 0)
	if cap0 >= s.caps[0] {
		return false
	}
	grown := min(2*cap0, s.caps[0])
	extra := int64(s.blockBytes(grown) - s.blockBytes(cap0))
	if !s.reserve(i, extra, false) {
		return false
	}
	b := s.newBlock(grown) // before the stop: index i stops for the copy only
	atomic.StoreUintptr(s.word(i, arch.StopOff), 1)
	if err := fence(-1); err != nil {
		atomic.StoreUintptr(s.word(i, arch.StopOff), 0)
		s.unreserve(i, extra)
		return false
	}
	// Index i is ours until the new block is published. Go copies with
	// write barriers, so this is correct in every GC phase.
	for k := range s.caps {
		from := s.framed(i, k)
		to := unsafe.Slice((*Entry)(unsafe.Add(b, s.slotOff[k])), len(from)-2)
		n := copy(to, live(from))
		*(*uintptr)(unsafe.Add(b, arch.TopOffset(k))) = uintptr(n)
	}
	s.set(i, b)
	return true
}

// live returns the live prefix of a member's framed slots.
func live(framed []Entry) []Entry {
	slots := framed[1 : len(framed)-1]
	for j := range slots {
		if slots[j].P == nil {
			return slots[:j]
		}
	}
	return slots
}

// PushAfter finishes a push of e whose section returned st (see Desc). A
// caller of the sections annotates its own hand-offs for the race detector;
// Push and Pop annotate theirs (on a word hashed from e.P, as alloc does),
// PushAfter and PopAfter do not.
func (s *EntryStacks) PushAfter(k int, e Entry, st arch.Status) bool { return s.pushSlow(k, e, st) }

// PopAfter finishes a pop whose section returned e and st (see Desc).
func (s *EntryStacks) PopAfter(k int, e Entry, st arch.Status) (Entry, bool) {
	return s.popSlow(k, e, st)
}

// Push pushes e (e.P must not be nil) onto the calling CPU's stack k, or
// the calling P's shard; false when full.
func (s *EntryStacks) Push(k int, e Entry) bool {
	race.Release(e.P)
	if on {
		st := arch.PushEntry(s.descs[k], e.P, e.Aux, e.N0, e.N1)
		if st == arch.Committed {
			return true
		}
		return s.pushSlow(k, e, st)
	}
	return s.shards().push(k, e, s.caps[k])
}

func (s *EntryStacks) pushSlow(k int, e Entry, st arch.Status) bool {
	if st = s.pushAgain(k, e, st); st == arch.Committed {
		return true
	}
	// The retry after registering a thread goes through pushAgain too: the
	// thread's index may have no block yet.
	st, shard := settle(st, func() arch.Status { return s.pushAgain(k, e, s.pushOnce(k, e)) })
	if shard {
		shardOps.Add(1)
		if !s.shardsUsed.Load() {
			s.shardsUsed.Store(true)
		}
		return s.shards().push(k, e, s.caps[k])
	}
	return st.Outcome() == arch.Committed
}

// pushAgain finishes a push whose section returned st, as far as this
// thread's own stack can: with the marking protocol while the collector
// marks, and, when the index is Stopped, after giving it a block if it has
// none, or past the resize that stopped it (see Resizing). It returns the
// last status.
func (s *EntryStacks) pushAgain(k int, e Entry, st arch.Status) arch.Status {
	if st.Outcome() == arch.GCMarking {
		st = s.pushMarking(k, e)
	}
	for tries := 0; s.noBlockOrStopped(st) && tries < 3; tries++ {
		if i, ok := currentIndex(); ok && s.has(i) {
			s.mu.Lock() // past a resize, and none can start (resizing)
			st = s.pushOnce(k, e)
			s.mu.Unlock()
		} else {
			s.allocateHere()
			st = s.pushOnce(k, e)
		}
	}
	return st
}

// noBlockOrStopped reports whether a section's status st says that the
// index was Stopped (no block, or a resize) or lies past the block table
// (no block).
func (s *EntryStacks) noBlockOrStopped(st arch.Status) bool {
	return st.Outcome() == arch.Stopped || st.Outcome() == arch.Unavailable && s.pastTable()
}

// Resizing. An index that has a block and is Stopped is being grown,
// shrunk or collected, and each of those holds s.mu from its stop until it
// publishes (a new block, or the emptied old one restarted). So a call that
// meets the stop runs its section again with s.mu held: that waits for the
// resize, and no other can stop the index before the section has run
// (with s.mu only taken and let go, the next resize could, and a call
// could meet stop after stop). Only a thread that has moved to an index
// without a block meets Stopped then. Before, such a call retried three
// times at once and then took the CPU's stack for empty or full: a Get
// missed (and in alloc collected every CPU and grew the stack it met being
// shrunk), a Put went to the fallback shards. The callbacks that run under
// s.mu (Collect's, Drain's, Shrink's excess) must not call into the family,
// so no thread waits here for itself.

// pushOnce runs a push section once more, with the marking protocol if the
// collector is marking.
func (s *EntryStacks) pushOnce(k int, e Entry) arch.Status {
	st := arch.PushEntry(s.descs[k], e.P, e.Aux, e.N0, e.N1)
	if st.Outcome() == arch.GCMarking {
		st = s.pushMarking(k, e)
	}
	return st
}

// popAgain finishes a pop whose section returned e and st, as far as this
// thread's own stack can: with the marking protocol while the collector
// marks; an index without a block (Stopped) holds nothing, so the pop is
// Empty there, and one with a block is being resized, so the pop runs again
// past the resize (see Resizing).
func (s *EntryStacks) popAgain(k int, e Entry, st arch.Status) (Entry, arch.Status) {
	if st.Outcome() == arch.GCMarking {
		e, st = s.popMarking(k)
	}
	for tries := 0; s.noBlockOrStopped(st) && tries < 3; tries++ {
		i, ok := currentIndex()
		switch {
		case ok && !s.has(i):
			return Entry{}, arch.Empty
		case ok:
			s.mu.Lock() // past a resize, and none can start (resizing)
			e, st = s.popOnce(k)
			s.mu.Unlock()
		default:
			e, st = s.popOnce(k)
		}
	}
	return e, st
}

// popOnce runs a pop section once more, with the marking protocol if the
// collector is marking.
func (s *EntryStacks) popOnce(k int) (e Entry, st arch.Status) {
	e.P, e.Aux, e.N0, e.N1, st = arch.PopEntry(s.descs[k])
	if st.Outcome() == arch.GCMarking {
		e, st = s.popMarking(k)
	}
	return e, st
}

// Pop pops an entry from the calling CPU's stack k or the calling P's
// shard; false when both are empty.
func (s *EntryStacks) Pop(k int) (e Entry, ok bool) {
	if on {
		p, aux, n0, n1, st := arch.PopEntry(s.descs[k])
		e, ok = Entry{P: p, Aux: aux, N0: n0, N1: n1}, true
		if st != arch.Committed {
			e, ok = s.popSlow(k, e, st)
		}
	} else {
		e, ok = s.shards().pop(k, s.caps[k])
	}
	if ok {
		race.Acquire(e.P)
	}
	return e, ok
}

// PopNear is Pop, but where sections do not run it takes nothing from
// the shards of other Ps: the calling P's private part and its shard
// only. A caller with a place of its own to look next (alloc's depot)
// uses it and calls Pop only once that place is empty too: in a burst on
// every P, taking from the others' shards first made each P contend for
// the others' locks (BenchmarkBuffersBurst with PERCPU_RSEQ=off).
func (s *EntryStacks) PopNear(k int) (e Entry, ok bool) {
	if on {
		return s.Pop(k)
	}
	if e, ok = s.shards().popNear(k, s.caps[k]); ok {
		race.Acquire(e.P)
	}
	return e, ok
}

func (s *EntryStacks) popSlow(k int, e Entry, st arch.Status) (Entry, bool) {
	if e, st = s.popAgain(k, e, st); st == arch.Committed {
		return e, true
	}
	st, shard := settle(st, func() (st arch.Status) {
		e, st = s.popOnce(k)
		e, st = s.popAgain(k, e, st)
		return st
	})
	switch {
	case st.Outcome() == arch.Committed:
		return e, true
	case shard:
		shardOps.Add(1)
	case !s.shardsUsed.Load():
		return Entry{}, false // empty here, and nothing was ever put in a shard
	}
	return s.shards().pop(k, s.caps[k]) // empty here, or no sections: try the shards
}

// Drain takes every entry out of every CPU's stacks and every shard and
// passes them, member by member, to fn after the family runs again, and
// gives the per-CPU blocks back (an index gets a new one at its next push).
// Without the membarrier fence it takes only the shards and returns the
// error.
func (s *EntryStacks) Drain(fn func(k int, entries []Entry)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	taken := make([][]Entry, len(s.caps))
	err := s.stopAllIfOn()
	if err == nil && on {
		for i := range s.table() {
			if !s.has(i) {
				continue
			}
			for k := range s.caps {
				taken[k] = append(taken[k], live(s.framed(i, k))...)
			}
			// The block stays stopped for good: sections that find it
			// leave, and the next push allocates a fresh one.
			s.unreserve(i, int64(s.blockBytes(s.capacity(i, 0))))
			s.set(i, placeholder)
		}
	}
	for k := range s.caps {
		if sp := s.spills.Load(); sp != nil {
			sp.each(k, func(sh *spill[Entry]) { taken[k] = append(taken[k], sh.takeAll()...) })
		}
		for _, e := range taken[k] {
			race.Acquire(e.P)
		}
		if len(taken[k]) > 0 {
			fn(k, taken[k])
		}
	}
	return err
}

// Collect takes member k's entries out of every CPU's stack, keeping the
// blocks, and passes them to fn after the family runs again; it does
// nothing in the fallback, or without the fence (whose error it returns).
// It is for a caller whose CPU ran dry while other CPUs may hold values: it
// stops every CPU's stacks for the copy, so call it rarely (package alloc
// does at most once per GC cycle per pool).
func (s *EntryStacks) Collect(k int, fn func(entries []Entry)) error {
	if !on {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.stopAll(); err != nil {
		return err
	}
	var taken []Entry
	for i := range s.table() {
		if !s.has(i) {
			continue
		}
		l := live(s.framed(i, k))
		taken = append(taken, l...)
		clear(l)                                             // barriered stores: correct in every GC phase
		atomic.StoreUintptr(s.word(i, arch.TopOffset(k)), 0) // Len reads it meanwhile
	}
	s.restartAll()
	for _, e := range taken {
		race.Acquire(e.P)
	}
	if len(taken) > 0 {
		fn(taken)
	}
	return nil
}

// Len returns about how many entries member k holds on all CPUs and shards.
func (s *EntryStacks) Len(k int) int {
	n := 0
	if sp := s.spills.Load(); sp != nil {
		n = sp.count(k)
	}
	t := s.table() // one snapshot: block(i) would load the table again per index
	for i := range t {
		if b := atomic.LoadPointer(&t[i]); b != placeholder { // loaded once: a drain may replace it
			n += int(atomic.LoadUintptr((*uintptr)(unsafe.Add(b, arch.TopOffset(k))))) // a hint, at most one off
		}
	}
	return n
}

// CapacityHere returns member k's capacity on the calling thread's index:
// what its block holds now, or the member's configured capacity where the
// thread has no block there or runs no sections (the fallback shards hold
// that many). It is a hint — the thread may move meanwhile — for sizing
// what a miss or an overflow moves.
func (s *EntryStacks) CapacityHere(k int) int {
	if i, ok := currentIndex(); ok {
		if b := s.block(i); b != placeholder { // loaded once: a resize may replace it
			return capacityIn(b, k)
		}
	}
	return s.caps[k]
}

// Footprint returns the bytes of per-CPU blocks the family holds, the
// number of indexes that have one, and member 0's largest capacity among
// them.
func (s *EntryStacks) Footprint() (bytes int64, indexes, cap0 int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.table() {
		if s.has(i) {
			c := s.capacity(i, 0)
			bytes += int64(s.blockBytes(c))
			indexes++
			cap0 = max(cap0, c)
		}
	}
	return bytes, indexes, cap0
}
