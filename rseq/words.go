package rseq

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/race"
)

// WordStacks is a family of bounded stacks of non-zero machine words, one
// stack per member per CPU index: the per-CPU caches of object addresses
// that package slab keeps per size class. Push and Pop touch only the
// calling CPU's stack, in one restartable section each; PushBatch and
// PopBatch move many words in one section. Where sections cannot run (the
// fallback, a thread that could not register, a stopped CPU, too many
// aborts), the same calls use mutex shards bounded by the same limit.
//
// Words are values, not pointers the GC sees: keep only addresses of memory
// the GC does not manage, or plain numbers.
type WordStacks struct {
	stacks
	mem []uintptr // the blocks' memory
	// limits are the members' limits (SetLimit; the capacities until
	// then), which the fallback shards take as their capacities.
	limits  []atomic.Int64
	spills  spills[uintptr]
	drainMu sync.Mutex
}

// NewWordStacks returns a family with one member per capacity: member k
// holds at most capacities[k] words per CPU index.
func NewWordStacks(capacities []int) *WordStacks {
	slotOff, size := layout(capacities, arch.WordSize, 0)
	shift := blockShift(size)
	s := &WordStacks{mem: alignedWords(int(uintptr(nIndexes)<<shift/arch.WordSize), minBlock)}
	s.stacks.init(capacities, slotOff, false)
	s.fill(unsafe.Pointer(&s.mem[0]), shift)
	s.spills = newSpills[uintptr](len(capacities))
	s.limits = make([]atomic.Int64, len(capacities))
	for k, c := range capacities {
		s.limits[k].Store(int64(c))
		for i := 0; i < nIndexes; i++ {
			*s.word(i, arch.TopOffset(k)+arch.CapOff) = uintptr(c)
		}
	}
	return s
}

// slots returns member k's slots in index i's block.
func (s *WordStacks) slots(i, k int) []uintptr {
	return unsafe.Slice((*uintptr)(unsafe.Add(s.block(i), s.slotOff[k])), s.caps[k])
}

// shardCap is what one fallback shard of member k may hold: its limit.
func (s *WordStacks) shardCap(k int) int { return int(s.limits[k].Load()) }

// PushAfter finishes a push of v whose section returned st (see Desc).
func (s *WordStacks) PushAfter(k int, v uintptr, st arch.Status) bool { return s.pushSlow(k, v, st) }

// PopAfter finishes a pop whose section returned v and st (see Desc).
func (s *WordStacks) PopAfter(k int, v uintptr, st arch.Status) (uintptr, bool) {
	return s.popSlow(k, v, st)
}

// PushPinned is the fallback's hit path for a caller with no section to
// call (Desc is nil), as Private is for an entry family: it pushes v onto
// P pid's private part of member k's fallback shard, with no lock and no
// atomic write, inside the caller's own pinned stretch (procpin.Pin and
// Unpin in the caller's body, then this, inlined: a call level less than a
// push that pinned itself). The caller must be pinned to P pid: pid is
// what its procpin.Pin returned, and procpin.Unpin has not run since. It
// returns false, having done nothing, when that part is full, revoked, not
// allocated yet or not the P's own, and always under the race detector;
// the caller then calls Push, which does whatever it takes.
func (s *WordStacks) PushPinned(pid, k int, v uintptr) bool {
	if race.Enabled {
		return false
	}
	// spills.own and spill.pushHit written out, on the instantiated type,
	// to fit the inliner's budget: the shard in pid's slot is P pid's own
	// when its owner is pid (a P id at or above the row's length has none,
	// nor one whose slot holds the vacant stand-in), and pinned to P pid,
	// its private part is ours (see spill). The slot is loaded as the
	// pointer word it is (an atomic.Pointer has no other field with a
	// size), which costs the inliner less than its Load method.
	sh := (*spill[uintptr])(atomic.LoadPointer((*unsafe.Pointer)(unsafe.Pointer(&s.spills.table[k*s.spills.n+pid&s.spills.mask]))))
	if n := sh.n; sh.owner == pid && sh.state.Load() == owned && n < len(sh.priv) && int64(n) < s.limits[k].Load()>>1 {
		sh.priv[n] = v
		sh.n++
		return true
	}
	return false
}

// PopPinned is PushPinned's pop: the newest word of P pid's private part
// of member k, or false (then the caller calls Pop). The caller must be
// pinned to P pid, as for PushPinned.
func (s *WordStacks) PopPinned(pid, k int) (uintptr, bool) {
	if race.Enabled {
		return 0, false
	}
	// spills.own and spill.popHit written out, as in PushPinned.
	sh := s.spills.table[k*s.spills.n+pid&s.spills.mask].Load()
	if n := sh.n - 1; sh.owner == pid && sh.state.Load() == owned && n >= 0 {
		v := sh.priv[n]
		sh.priv[n] = 0 // as popHit: hold nothing handed out
		sh.n = n
		return v, true
	}
	return 0, false
}

// Push pushes v (which must not be 0) onto the calling CPU's stack k. It
// returns false when that stack is full: the caller moves words elsewhere.
func (s *WordStacks) Push(k int, v uintptr) bool {
	if on {
		st := arch.PushWord(s.descs[k], v)
		if st == arch.Committed {
			return true
		}
		return s.pushSlow(k, v, st)
	}
	return s.spills.push(k, v, s.shardCap(k))
}

func (s *WordStacks) pushSlow(k int, v uintptr, st arch.Status) bool {
	st, shard := settle(st, func() arch.Status { return arch.PushWord(s.descs[k], v) })
	if shard {
		return s.spills.push(k, v, s.shardCap(k))
	}
	return st.Outcome() == arch.Committed
}

// Pop pops a word from the calling CPU's stack k, or from the calling P's
// shard; false when both are empty.
func (s *WordStacks) Pop(k int) (uintptr, bool) {
	if on {
		v, st := arch.PopWord(s.descs[k])
		if st == arch.Committed {
			return v, true
		}
		return s.popSlow(k, v, st)
	}
	return s.spills.pop(k, s.shardCap(k))
}

func (s *WordStacks) popSlow(k int, v uintptr, st arch.Status) (uintptr, bool) {
	st, _ = settle(st, func() (st arch.Status) { v, st = arch.PopWord(s.descs[k]); return st })
	if st.Outcome() == arch.Committed {
		return v, true
	}
	return s.spills.pop(k, s.shardCap(k)) // empty here, or no sections: try the shard
}

// PushBatch pushes words from the front of src onto the calling CPU's stack
// k in one section and returns how many it pushed (0 when full).
func (s *WordStacks) PushBatch(k int, src []uintptr) int {
	if len(src) == 0 {
		return 0
	}
	if on {
		n, st := arch.PushWords(s.descs[k], &src[0], uintptr(len(src)))
		if st == arch.Committed {
			return int(n)
		}
		st, shard := settle(st, func() (st arch.Status) {
			n, st = arch.PushWords(s.descs[k], &src[0], uintptr(len(src)))
			return st
		})
		if !shard {
			return int(n)
		}
	}
	return s.spills.pushBatch(k, src, s.shardCap(k))
}

// PopBatch pops up to len(dst) words from the calling CPU's stack k in one
// section (or from the calling P's shard) and returns how many.
func (s *WordStacks) PopBatch(k int, dst []uintptr) int {
	if len(dst) == 0 {
		return 0
	}
	if on {
		n, st := arch.PopWords(s.descs[k], &dst[0], uintptr(len(dst)))
		if st == arch.Committed {
			return int(n)
		}
		if st, _ = settle(st, func() (st arch.Status) {
			n, st = arch.PopWords(s.descs[k], &dst[0], uintptr(len(dst)))
			return st
		}); st.Outcome() == arch.Committed {
			return int(n)
		}
	}
	return s.spills.popBatch(k, dst)
}

// Drain takes every word out of every CPU's stacks and every shard and
// passes them, member by member, to fn after the family runs again.
func (s *WordStacks) Drain(fn func(k int, words []uintptr)) error {
	s.drainMu.Lock()
	defer s.drainMu.Unlock()
	taken := make([][]uintptr, len(s.caps))
	err := s.stopAllIfOn()
	if err == nil && on {
		for i := 0; i < nIndexes; i++ {
			for k := range s.caps {
				top := s.word(i, arch.TopOffset(k))
				taken[k] = append(taken[k], s.slots(i, k)[:*top]...)
				*top = 0
			}
		}
		s.restartAll()
	}
	for k := range s.caps {
		s.spills.each(k, func(sh *spill[uintptr]) { taken[k] = append(taken[k], sh.takeAll()...) })
		if len(taken[k]) > 0 {
			fn(k, taken[k])
		}
	}
	return err
}

// Len returns about how many words member k holds on all CPUs and shards.
func (s *WordStacks) Len(k int) int {
	n := s.spills.count(k)
	for i := 0; i < nIndexes; i++ {
		n += int(atomic.LoadUintptr(s.word(i, arch.TopOffset(k))))
	}
	return n
}

// SetLimit changes how many words member k's stack may hold on every CPU,
// and each of its fallback shards, between 1 and its construction
// capacity. Words above a lowered limit stay until popped. Where sections
// run it stops and fences the family, so it is for occasional tuning, not
// the hot path; in the fallback it is one store.
func (s *WordStacks) SetLimit(k int, limit int) error {
	if limit < 1 || limit > s.caps[k] {
		return fmt.Errorf("rseq: limit %d for member %d is outside [1, %d]", limit, k, s.caps[k])
	}
	if !on {
		s.limits[k].Store(int64(limit))
		return nil
	}
	s.drainMu.Lock()
	defer s.drainMu.Unlock()
	if err := s.stopAll(); err != nil {
		return err
	}
	for i := 0; i < nIndexes; i++ {
		*s.word(i, arch.TopOffset(k)+arch.CapOff) = uintptr(limit)
	}
	s.limits[k].Store(int64(limit))
	s.restartAll()
	return nil
}
