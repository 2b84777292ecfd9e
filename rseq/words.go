package rseq

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/arch"
)

// WordStacks is a family of bounded stacks of non-zero machine words, one
// stack per member per CPU index: the per-CPU caches of object addresses
// that package slab keeps per size class. Push and Pop touch only the
// calling CPU's stack, in one restartable section each; PushBatch and
// PopBatch move many words in one section. Where sections cannot run (the
// fallback, a thread that could not register, a stopped CPU, too many
// aborts), the same calls use mutex shards of the same capacity.
//
// Words are values, not pointers the GC sees: keep only addresses of memory
// the GC does not manage, or plain numbers.
type WordStacks struct {
	ctl     controlBlocks
	descs   []arch.StackDesc
	slots   []uintptr // index i, member k: slots[i*stride+offset[k]:][:caps[k]]
	offset  []int     // in words
	stride  int       // in words
	caps    []int
	spills  spills[uintptr]
	drainMu sync.Mutex
}

// NewWordStacks returns a family with one member per capacity: member k
// holds at most capacities[k] words per CPU index.
func NewWordStacks(capacities []int) *WordStacks {
	s := &WordStacks{ctl: newControlBlocks(len(capacities)), caps: append([]int(nil), capacities...)}
	offsets, stride := slotLayout(capacities, 8)
	s.stride = stride / 8
	s.slots = alignedWords(s.stride * nIndexes)
	s.spills = newSpills[uintptr](len(capacities))
	for k, c := range capacities {
		s.offset = append(s.offset, offsets[k]/8)
		for i := 0; i < nIndexes; i++ {
			*s.ctl.word(i, 2+2*k) = uintptr(c)
		}
		s.descs = append(s.descs, arch.StackDesc{
			Ctl: s.ctl.base(), CtlStride: s.ctl.stride, TopOff: topOff(k),
			Slots: unsafe.Pointer(&s.slots[offsets[k]/8]), SlotStride: uintptr(stride), N: uintptr(nIndexes),
		})
	}
	return s
}

// slotLayout places each member's slots inside an index's slot array and
// returns their byte offsets and the array's (cache-line padded) size.
func slotLayout(capacities []int, slotBytes int) (offsets []int, stride int) {
	for _, c := range capacities {
		if c <= 0 {
			panic(fmt.Sprintf("rseq: stack capacity %d is not positive", c))
		}
		offsets = append(offsets, stride)
		stride += c * slotBytes
	}
	return offsets, (stride + blockBytes - 1) / blockBytes * blockBytes
}

// Members is the number of stacks per CPU.
func (s *WordStacks) Members() int { return len(s.caps) }

// Push pushes v (which must not be 0) onto the calling CPU's stack k. It
// returns false when that stack is full: the caller moves words elsewhere.
func (s *WordStacks) Push(k int, v uintptr) bool {
	if on {
		st := arch.PushWord(&s.descs[k], v)
		if st == arch.Committed {
			return true
		}
		return s.pushSlow(k, v, st)
	}
	return s.spills.local(k).push(v, s.caps[k])
}

func (s *WordStacks) pushSlow(k int, v uintptr, st arch.Status) bool {
	noteStatus(st)
	switch st.Outcome() {
	case arch.Committed:
		return true
	case arch.Full:
		return false
	case arch.Unregistered:
		if ensureRegistered() {
			if st = arch.PushWord(&s.descs[k], v); st.Outcome() == arch.Committed || st.Outcome() == arch.Full {
				return s.pushSlow(k, v, st)
			}
		}
	}
	return s.spills.local(k).push(v, s.caps[k])
}

// Pop pops a word from the calling CPU's stack k, or from the calling P's
// shard; false when both are empty.
func (s *WordStacks) Pop(k int) (uintptr, bool) {
	if on {
		v, st := arch.PopWord(&s.descs[k])
		if st == arch.Committed {
			return v, true
		}
		return s.popSlow(k, v, st)
	}
	return s.spills.local(k).pop()
}

func (s *WordStacks) popSlow(k int, v uintptr, st arch.Status) (uintptr, bool) {
	noteStatus(st)
	switch st.Outcome() {
	case arch.Committed:
		return v, true
	case arch.Unregistered:
		if ensureRegistered() {
			if v, st = arch.PopWord(&s.descs[k]); st.Outcome() == arch.Committed {
				return s.popSlow(k, v, st)
			}
		}
	}
	return s.spills.local(k).pop()
}

// PushBatch pushes words from the front of src onto the calling CPU's stack
// k in one section and returns how many it pushed (0 when full).
func (s *WordStacks) PushBatch(k int, src []uintptr) int {
	if len(src) == 0 {
		return 0
	}
	if on {
		n, st := arch.PushWords(&s.descs[k], &src[0], uintptr(len(src)))
		noteStatus(st)
		switch st.Outcome() {
		case arch.Committed:
			return int(n)
		case arch.Full:
			return 0
		case arch.Unregistered:
			if ensureRegistered() {
				return s.PushBatch(k, src)
			}
		}
	}
	sh := s.spills.local(k)
	for i, v := range src {
		if !sh.push(v, s.caps[k]) {
			return i
		}
	}
	return len(src)
}

// PopBatch pops up to len(dst) words from the calling CPU's stack k in one
// section (or from the calling P's shard) and returns how many.
func (s *WordStacks) PopBatch(k int, dst []uintptr) int {
	if len(dst) == 0 {
		return 0
	}
	if on {
		n, st := arch.PopWords(&s.descs[k], &dst[0], uintptr(len(dst)))
		noteStatus(st)
		switch st.Outcome() {
		case arch.Committed:
			return int(n)
		case arch.Unregistered:
			if ensureRegistered() {
				return s.PopBatch(k, dst)
			}
		}
	}
	sh := s.spills.local(k)
	for i := range dst {
		v, ok := sh.pop()
		if !ok {
			return i
		}
		dst[i] = v
	}
	return len(dst)
}

// Drain takes every word out of every CPU's stacks and every shard and
// passes them, member by member, to fn after the family runs again. Taking
// other CPUs' stacks needs the membarrier fence; without it Drain takes only
// the shards and returns the fence's error.
func (s *WordStacks) Drain(fn func(k int, words []uintptr)) error {
	s.drainMu.Lock()
	defer s.drainMu.Unlock()
	taken := make([][]uintptr, len(s.caps))
	err := s.ctl.stopAll()
	if err == nil {
		for i := 0; i < nIndexes; i++ {
			for k := range s.caps {
				top := s.ctl.word(i, 1+2*k)
				base := i*s.stride + s.offset[k]
				taken[k] = append(taken[k], s.slots[base:base+int(*top)]...)
				*top = 0
			}
		}
		s.ctl.restartAll()
	}
	for k := range s.caps {
		for i := k; i < len(s.spills.shards); i += len(s.caps) {
			taken[k] = append(taken[k], s.spills.shards[i].takeAll()...)
		}
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
		n += int(atomic.LoadUintptr(s.ctl.word(i, 1+2*k)))
	}
	return n
}

// Capacity returns member k's per-CPU capacity as set at construction.
func (s *WordStacks) Capacity(k int) int { return s.caps[k] }

// SetLimit changes how many words member k's stack may hold on every CPU,
// between 1 and its construction capacity. Words above a lowered limit stay
// until popped. It stops and fences the family, so it is for occasional
// tuning, not the hot path; without the fence it returns the error and
// changes nothing. The fallback shards keep the construction capacity.
func (s *WordStacks) SetLimit(k int, limit int) error {
	if limit < 1 || limit > s.caps[k] {
		return fmt.Errorf("rseq: limit %d for member %d is outside [1, %d]", limit, k, s.caps[k])
	}
	s.drainMu.Lock()
	defer s.drainMu.Unlock()
	if err := s.ctl.stopAll(); err != nil {
		return err
	}
	for i := 0; i < nIndexes; i++ {
		*s.ctl.word(i, 2+2*k) = uintptr(limit)
	}
	s.ctl.restartAll()
	return nil
}
