package rseq

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
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
type EntryStacks struct {
	blocks
	mem     []Entry // the blocks' memory, scanned by the GC
	descs   []arch.StackDesc
	slotOff []uintptr
	caps    []int
	spills  spills[Entry]
	drainMu sync.Mutex
	// shardsUsed is set, before the first push to a shard, once a thread
	// that cannot run sections has pushed there; until then a pop that
	// finds its CPU's stack empty does not lock the shards to look.
	shardsUsed atomic.Bool
}

// liveSentinel is what every stack's slot[-1] points at: a slot that always
// looks live, so the sections never test for the bottom of the stack.
var liveSentinel byte

// NewEntryStacks returns a family with one member per capacity.
func NewEntryStacks(capacities []int) *EntryStacks {
	// Each member's slots are framed by slot[-1] (live sentinel) and
	// slot[cap] (always nil).
	slotOff, shift := layout(capacities, arch.EntrySize, 2)
	s := &EntryStacks{mem: alignedEntries(nIndexes<<shift/int(arch.EntrySize), minBlock), slotOff: slotOff, caps: append([]int(nil), capacities...)}
	s.blocks = blocks{base: unsafe.Pointer(&s.mem[0]), shift: shift}
	s.spills = newSpills[Entry](len(capacities))
	for k, c := range capacities {
		for i := 0; i < nIndexes; i++ {
			*s.word(i, arch.TopOffset(k)+arch.CapOff) = uintptr(c)
			s.framed(i, k)[0].P = unsafe.Pointer(&liveSentinel)
		}
		s.descs = append(s.descs, s.desc(arch.TopOffset(k), slotOff[k]))
	}
	return s
}

// framed returns member k's slots in index i's block with their sentinels:
// element 0 is slot[-1], element cap+1 is slot[cap].
func (s *EntryStacks) framed(i, k int) []Entry {
	return unsafe.Slice((*Entry)(unsafe.Add(s.block(i), s.slotOff[k]-arch.EntrySize)), s.caps[k]+2)
}

// Desc returns member k's section descriptor while sections run in this
// process, and nil otherwise. It lets a caller whose fast path matters call
// arch.PushEntry and arch.PopEntry itself, saving a call level; any status
// other than a clean commit must then go to PushAfter or PopAfter, which
// finish the call exactly as Push and Pop would.
func (s *EntryStacks) Desc(k int) *arch.StackDesc {
	if !on {
		return nil
	}
	return &s.descs[k]
}

// PushAfter finishes a push of e whose section returned st (see Desc). A
// caller of the sections annotates its own hand-offs for the race detector.
func (s *EntryStacks) PushAfter(k int, e Entry, st arch.Status) bool { return s.pushSlow(k, e, st) }

// PopAfter finishes a pop whose section returned e and st (see Desc).
func (s *EntryStacks) PopAfter(k int, e Entry, st arch.Status) (Entry, bool) {
	return s.popSlow(k, e, st)
}

// Push pushes e (e.P must not be nil) onto the calling CPU's stack k, or
// the calling P's shard; false when full.
func (s *EntryStacks) Push(k int, e Entry) bool {
	raceRelease(e.P)
	if on {
		st := arch.PushEntry(&s.descs[k], e.P, e.Aux, e.N0, e.N1)
		if st == arch.Committed {
			return true
		}
		return s.pushSlow(k, e, st)
	}
	return s.spills.local(k).push(e, s.caps[k])
}

func (s *EntryStacks) pushSlow(k int, e Entry, st arch.Status) bool {
	if st.Outcome() == arch.GCMarking {
		if st = s.pushMarking(k, e); st == arch.Committed {
			return true
		}
	}
	st, shard := settle(st, func() arch.Status { return s.pushMarking(k, e) })
	if shard {
		shardOps.Add(1)
		if !s.shardsUsed.Load() {
			s.shardsUsed.Store(true)
		}
		return s.spills.local(k).push(e, s.caps[k])
	}
	return st.Outcome() == arch.Committed
}

// Pop pops an entry from the calling CPU's stack k or the calling P's
// shard; false when both are empty.
func (s *EntryStacks) Pop(k int) (e Entry, ok bool) {
	if on {
		p, aux, n0, n1, st := arch.PopEntry(&s.descs[k])
		e, ok = Entry{P: p, Aux: aux, N0: n0, N1: n1}, true
		if st != arch.Committed {
			e, ok = s.popSlow(k, e, st)
		}
	} else {
		e, ok = s.spills.local(k).pop()
	}
	if ok {
		raceAcquire(e.P)
	}
	return e, ok
}

func (s *EntryStacks) popSlow(k int, e Entry, st arch.Status) (Entry, bool) {
	if st.Outcome() == arch.GCMarking {
		if e, st = s.popMarking(k); st == arch.Committed {
			return e, true
		}
	}
	st, shard := settle(st, func() (st arch.Status) { e, st = s.popMarking(k); return st })
	switch {
	case st.Outcome() == arch.Committed:
		return e, true
	case shard:
		shardOps.Add(1)
	case !s.shardsUsed.Load():
		return Entry{}, false // empty here, and nothing was ever put in a shard
	}
	return s.spills.local(k).pop() // empty here, or no sections: try the shards
}

// Drain takes every entry out of every CPU's stacks and every shard and
// passes them, member by member, to fn after the family runs again. Without
// the membarrier fence it takes only the shards and returns the error.
func (s *EntryStacks) Drain(fn func(k int, entries []Entry)) error {
	s.drainMu.Lock()
	defer s.drainMu.Unlock()
	taken := make([][]Entry, len(s.caps))
	err := s.stopAllIfOn()
	if err == nil && on {
		for i := 0; i < nIndexes; i++ {
			for k := range s.caps {
				slots := s.framed(i, k)[1 : s.caps[k]+1]
				for j := range slots {
					if slots[j].P == nil {
						break // live slots form a prefix
					}
					taken[k] = append(taken[k], slots[j])
					slots[j] = Entry{} // barriered Go stores
				}
				*s.word(i, arch.TopOffset(k)) = 0
			}
		}
		s.restartAll()
	}
	for k := range s.caps {
		for i := k; i < len(s.spills.shards); i += len(s.caps) {
			taken[k] = append(taken[k], s.spills.shards[i].takeAll()...)
		}
		for _, e := range taken[k] {
			raceAcquire(e.P)
		}
		if len(taken[k]) > 0 {
			fn(k, taken[k])
		}
	}
	return err
}

// Len returns about how many entries member k holds on all CPUs and shards.
func (s *EntryStacks) Len(k int) int {
	n := s.spills.count(k)
	for i := 0; i < nIndexes; i++ {
		n += int(atomic.LoadUintptr(s.word(i, arch.TopOffset(k)))) // a hint, at most one off
	}
	return n
}
