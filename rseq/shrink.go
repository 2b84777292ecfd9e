package rseq

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/race"
)

// Shrinking is growth run backwards. A stack that grew for a burst keeps
// its capacity while its family is in use, and so its bytes of the per-CPU
// budget; Shrink gives back what a quieter load no longer fills. It looks
// at each index's member 0 once per call: an index whose stack held at most
// a quarter of its capacity at two calls in a row, and did not ask to grow
// (Grow: it ran dry while the depot had values, or overflowed) since the
// call before those two, is copied to a block of half the capacity (never
// below the starting one), by the steps Grow takes — stop the old block,
// fence, copy with barriered stores, publish — so no section is left in
// the old block and it stays stopped. Entries
// pushed between the look and the stop may not fit: Shrink keeps the newest
// and hands the oldest to its caller.

// Shrink halves member 0's capacity, down to the starting capacity, on every
// index where it was at most a quarter full at this call and at the one
// before and where no Grow ran since the call before that, and returns how
// many indexes it shrank. (A stack that ran dry or overflowed is in use at
// its size, however empty the calls find it: a load that comes in bursts
// with collections between them, and the GC hook calling Shrink, would
// otherwise shrink it between bursts and grow it again in each.) Entries that no longer fit
// are passed to excess (which must not call into the family) once the
// family runs again. It does nothing in the fallback, or without the fence
// (whose error it returns). Call it periodically: package alloc does once
// per GC cycle for every pool in use.
func (s *EntryStacks) Shrink(excess func(entries []Entry)) (int, error) {
	if !on || !s.anyGrown() {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	targets := s.shrinkTargets()
	if len(targets) == 0 {
		return 0, nil
	}
	return s.shrinkAt(targets, excess)
}

// shrinkAt shrinks member 0 on each of targets, whatever it holds: the
// mechanism of Shrink, which chose them. Called with s.mu held.
func (s *EntryStacks) shrinkAt(targets []int, excess func(entries []Entry)) (int, error) {
	for _, i := range targets {
		if !s.has(i) || s.capacity(i, 0) <= s.start {
			panic("rseq: shrinkAt on an index with nothing to shrink")
		}
	}
	fresh := make([]unsafe.Pointer, len(targets))
	for j, i := range targets {
		fresh[j] = s.newBlock(s.shrunk(s.capacity(i, 0))) // before the stops
	}
	for _, i := range targets {
		atomic.StoreUintptr(s.word(i, arch.StopOff), 1)
	}
	if err := fence(-1); err != nil {
		for _, i := range targets {
			atomic.StoreUintptr(s.word(i, arch.StopOff), 0)
		}
		return 0, err
	}
	// The targets are ours until their new blocks are published.
	var out []Entry
	for j, i := range targets {
		b, cap0 := fresh[j], s.capacity(i, 0)
		for k := range s.caps {
			l := live(s.framed(i, k))
			if c := capacityIn(b, k); len(l) > c { // member 0 only
				out = append(out, l[:len(l)-c]...) // the oldest go
				l = l[len(l)-c:]
			}
			copy(unsafe.Slice((*Entry)(unsafe.Add(b, s.slotOff[k])), len(l)), l) // barriered
			*(*uintptr)(unsafe.Add(b, arch.TopOffset(k))) = uintptr(len(l))
		}
		s.set(i, b) // publishes the block's contents
		s.unreserve(i, int64(s.blockBytes(cap0)-s.blockBytes(s.shrunk(cap0))))
	}
	for _, e := range out {
		race.Acquire(e.P)
	}
	if len(out) > 0 {
		excess(out)
	}
	return len(targets), nil
}

// shrunk is the capacity a member 0 of capacity cap0 shrinks to.
func (s *EntryStacks) shrunk(cap0 int) int { return max(s.start, cap0/2) }

// anyGrown reports, without the lock, whether some index's member 0 is
// above the starting capacity: most families have nothing to shrink.
func (s *EntryStacks) anyGrown() bool {
	t := s.table() // one snapshot: block(i) would load the table again per index
	for i := range t {
		if b := atomic.LoadPointer(&t[i]); b != placeholder && capacityIn(b, 0) > s.start {
			return true
		}
	}
	return false
}

// shrinkTargets counts, per index, the calls in a row that found member 0
// at most a quarter full with no Grow since the call before, and returns
// the indexes at two. Called with s.mu held.
func (s *EntryStacks) shrinkTargets() []int {
	t := s.table()
	if len(s.quiet) < len(t) { // the table grew
		s.quiet = append(s.quiet, make([]uint8, len(t)-len(s.quiet))...)
	}
	var targets []int
	asked := s.asked.Swap(0)
	for i := range t {
		b := s.block(i)
		low := false
		if b != placeholder {
			c := capacityIn(b, 0)
			top := int(atomic.LoadUintptr((*uintptr)(unsafe.Add(b, arch.TopOffset(0))))) // a hint, at most one off
			low = c > s.start && top <= c/4
		}
		switch {
		case !low || asked&(1<<(i%64)) != 0:
			s.quiet[i] = 0
		case s.quiet[i] == 1:
			targets = append(targets, i)
			s.quiet[i] = 0 // a shrunk stack is looked at afresh
		default:
			s.quiet[i] = 1
		}
	}
	return targets
}
