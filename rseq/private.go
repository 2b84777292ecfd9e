package rseq

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/procpin"
	"github.com/gorseq/percpu/internal/race"
)

// The fallback's hit path for an entry family, for callers that call the
// sections themselves (Desc) and need the same directness where sections
// cannot run: a member's shards by P id, used inside the caller's own
// pinned stretch. See spill for who may touch a private part, and when;
// WordStacks.PushPinned and PopPinned are the same for word families.

// Private is the fallback's hit path for one member of an entry family,
// for a caller with no section to call (Desc is nil), as a descriptor is
// the sections' path: it works on the calling P's private part of the
// member's fallback shard, with no lock and no atomic write. Push and Pop
// do it in one pinned stretch of their own; PushPinned and PopPinned do it
// inside the caller's, which saves the caller a call level (procpin.Pin
// and Unpin in its own body, then these, inlined). Each returns false,
// having done nothing, when that part is full (push) or empty (pop),
// revoked, not allocated yet or not the P's own, and always under the race
// detector (where no private part is ever allocated); the caller then
// calls the family's Push or Pop, which does whatever it takes. As with
// PushAfter, the caller annotates its hand-offs for the race detector.
type Private struct {
	// byP is the member's row of the family's shard table, indexed by P
	// id: byP[i] is the family's vacant stand-in until P i's shard is made
	// (its first call past the hit path makes it), then owned by i. A P id
	// at or above its length (GOMAXPROCS set above the CPU count) has none
	// here.
	byP []atomic.Pointer[spill[Entry]]
}

// Private returns member k's fallback hit path, allocating the family's
// fallback shards if they are not yet. It sees the shards of Ps that come
// later (GOMAXPROCS grew) as their first calls make them.
func (s *EntryStacks) Private(k int) *Private {
	return &Private{byP: s.shards().group.row(k)}
}

// PushPinned pushes e (e.P must not be nil) onto P pid's private part, or
// returns false. The caller must be pinned to P pid: pid is what its
// procpin.Pin returned, and procpin.Unpin has not run since.
func (p *Private) PushPinned(pid int, e Entry) bool {
	// Pinned to P pid: byP[pid] is its own shard (see spill). An entry
	// family's capacities never change, so the private part's length,
	// which never exceeds its share of the capacity, is the only bound:
	// unlimited passes no capacity to check.
	if race.Enabled || uint(pid) >= uint(len(p.byP)) {
		return false
	}
	return p.byP[pid].Load().pushHit(e, unlimited)
}

// PopPinned pops the newest entry of P pid's private part, or returns
// false. The caller must be pinned to P pid, as for PushPinned.
func (p *Private) PopPinned(pid int) (e Entry, ok bool) {
	// Pinned to P pid: byP[pid] is its own shard (see spill).
	if !race.Enabled && uint(pid) < uint(len(p.byP)) {
		e, ok = p.byP[pid].Load().popHit()
	}
	return e, ok
}

// PushPinnedPointers is PushPinned for a member whose entries all have N0
// and N1 zero, as arch.PushPointers is PushEntry for one: it stores p and
// aux and leaves the slot's N0 and N1, zero in such a member, as they are.
func (p *Private) PushPinnedPointers(pid int, ptr, aux unsafe.Pointer) bool {
	if race.Enabled || uint(pid) >= uint(len(p.byP)) {
		return false
	}
	s := p.byP[pid].Load() // pinned to P pid: its own shard (see spill)
	if s.state.Load() != owned || s.n >= len(s.priv) {
		return false // an entry family's capacities never change: len(priv) is the bound
	}
	e := &s.priv[s.n]
	e.P, e.Aux = ptr, aux
	s.n++
	return true
}

// PopPinnedPointers is PopPinned for a member whose entries all have N0 and
// N1 zero (see PushPinnedPointers): it returns the newest entry's P and
// aux, nil when it pops nothing.
func (p *Private) PopPinnedPointers(pid int) (ptr, aux unsafe.Pointer) {
	if race.Enabled || uint(pid) >= uint(len(p.byP)) {
		return nil, nil
	}
	s := p.byP[pid].Load() // pinned to P pid: its own shard (see spill)
	if s.state.Load() != owned || s.n == 0 {
		return nil, nil
	}
	s.n--
	e := &s.priv[s.n]
	ptr, aux = e.P, e.Aux
	e.P, e.Aux = nil, nil // hold no reference to what was handed out
	return ptr, aux
}

// Push pushes e (e.P must not be nil) onto the calling P's private part,
// or returns false.
func (p *Private) Push(e Entry) bool {
	ok := p.PushPinned(procpin.Pin(), e)
	procpin.Unpin()
	return ok
}

// Pop pops the newest entry of the calling P's private part, or returns
// false.
func (p *Private) Pop() (Entry, bool) {
	e, ok := p.PopPinned(procpin.Pin())
	procpin.Unpin()
	return e, ok
}
