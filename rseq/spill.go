package rseq

import (
	"runtime"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/procpin"
	"github.com/gorseq/percpu/internal/race"
)

// spill is one fallback shard of one family member: a bounded stack in two
// parts. The private part (priv, n) is the hit path: only goroutines pinned
// to the shard's own P touch it, with no lock and no atomic instruction,
// the way sync.Pool's per-P private value and the per-P contender of
// cmd/allocbench work. The shared part (items) is under mu: the private
// part's overflow, and what other Ps take. The fallback never touches
// per-CPU memory, so it is safe whatever the sections are doing. Shards are
// picked by P id (see spills for which P ids have one).
//
// The private part is allocated by its owner's first push that goes past
// the hit path, with privStart slots, and doubles each time the owner
// finds it full, up to pc (half the shard's capacity, at most privMax):
// a P that puts bursts of values keeps a whole burst on its hit path, as
// the per-CPU stacks grow for bursts, and a P that puts few costs little.
//
// A goroutine does not keep its P: a locked thread that stays on one CPU
// comes back from a collection or a blocking call on whichever P was idle.
// So pop, finding its shard empty, takes from the member's other shards
// before it reports empty, and when those hold nothing either it may
// revoke their private parts (reclaim, at most once per GC cycle per
// member): a value pushed on one P is not invisible to a pop on another,
// which is what the per-CPU stacks give a thread that stays on its CPU.
// What it takes from another shard's shared part comes as a batch: one
// value for the caller and as many more as fill its own private part
// (popFor), which its first pop past the hit path allocates if its pushes
// have not. A P that only gets, while others put (a producer fed by
// consumers on other Ps), then locks once per batch, not twice per value.
//
// # Who may touch the private part
//
// state says who owns priv and n, and changes only under mu:
//
//   - owned: the goroutine pinned (procpin.Pin) to P owner, and only while it
//     is pinned, after it read state == owned in the same pinned stretch.
//     Pinning makes the stretch one uninterrupted run on that P, so two
//     such stretches never overlap. The hit path finds P pid's own shard
//     in its member's row of the table (spills), by index; a P id at or
//     above the row's length has none, and its calls go to another
//     owner's shard (P id & (n-1)) past the hit path, where lockPinned's
//     owner check keeps them to the shared part.
//   - revoked: whoever holds mu, but only because every revocation holds
//     the shard's mu from the store of revoked until pinFence has
//     returned. pinFence stops the world, which cannot happen while any
//     goroutine is pinned: a pinned stretch that read owned before the store
//     has ended when the fence returns, and every later one reads revoked.
//     (sync.Pool's poolCleanup touches every P's private value on the same
//     ground: it runs with the world stopped.)
//
// The owner takes its part back (revoked to owned) under mu while pinned:
// no stretch of its own can be running then, and the next ones see owned.
//
// Draining (takeAll) and reclaiming revoke the shards whose private part
// holds something, all of them under one fence; a revoked shard then serves
// everyone through mu until its owner's next call that goes past the hit
// path takes the part back. The fence is a stop-the-world (about 20 µs
// here): Drain pays it once per call, reclaim at most once per member per
// GC cycle (a weak pointer that the next collection clears says when), so
// a pattern where one P puts and another gets cannot make every miss stop
// the world.
//
// Under the race detector the private part is never used: it has no
// happens-before edge the detector could see.
type spill[T any] struct {
	// n and priv: the private part, priv[:n] in use; see above for who may
	// touch them. priv itself (the slice) changes only under mu, by its
	// owner while pinned (growth).
	n    int
	priv []T
	// state is owned or revoked; written under mu, read by the owner's hit
	// path without it.
	state atomic.Uint32
	// owner is the P whose pinned goroutines use priv while state is
	// owned, and member the family member the shard serves; both set when
	// the shard is made (newSpills, install), never changed.
	owner, member int
	_             [cacheLine - ownerWords*arch.WordSize]byte // the owner's line apart from mu's

	mu    sync.Mutex
	items []T // guarded by mu; at most capacity - privCap(capacity)
	// pc is the private part's bound (the most it grows to) for this
	// shard's capacity, as the last push under mu computed it (a WordStacks
	// member's capacity follows its limit, so pc may fall below
	// len(priv)); guarded by mu.
	pc    int
	group *spillGroup[T]
	_     [cacheLine - mutexBytes - lockedWords*arch.WordSize]byte
}

// A shard is two cache lines' worth of bytes: the owner's fields (n, priv,
// state, owner, member: ownerWords words, state padded to one) padded to
// a line, then the locked ones (mu, then items, pc, group: lockedWords
// words). Each part is at most 56 bytes, so on 64-bit targets it stays
// within one line whether the shards start on a line or a word past one,
// as an allocation above mallocHeaderMax bytes does
// (TestSpillShardsOwnTheirLines); a shard made on its own (install) is a
// 128-byte object, which starts on a line:
// the owner's hit path never shares a line with what other Ps lock and
// write, at 128 bytes a P as sync.Pool's per-P part.
const (
	ownerWords  = 7
	mutexBytes  = 8
	lockedWords = 5
)

// The values of spill.state.
const (
	owned   = 0
	revoked = 1
)

// privStart is the size of a new private part and privMax the most it
// grows to; cacheLine keeps the owner's fields and the locked ones on
// separate cache lines.
const (
	privStart = 4
	privMax   = 128
	cacheLine = 64
)

// unlimited is a capacity for pushHit whose share never binds (privCap is
// at most privMax): for a caller whose capacities never change, whose
// private parts are bounded by their length alone.
const unlimited = 2 * privMax

// privCap is the private part's bound for a shard of the given capacity:
// half of it, at most privMax. The shared part holds the rest, so a shard
// never holds more than its capacity.
func privCap(capacity int) int { return min(privMax, capacity/2) }

// at returns member k's shard that P pid uses: its own, or for a P id at
// or above the row's length, another P's, whose shared part it uses. It
// makes the shard if its slot has none yet (install), so the caller must
// not be pinned.
func (s *spills[T]) at(pid, k int) *spill[T] {
	if sh := s.slot(pid, k).Load(); sh.made() {
		return sh
	}
	return s.group.install(pid&s.mask, k)
}

// slot is the table slot of member k's shard that P pid uses (see at).
func (s *spills[T]) slot(pid, k int) *atomic.Pointer[spill[T]] {
	return &s.table[k*s.n+pid&s.mask]
}

// push pushes v onto the calling P's shard of member k: onto its private
// part on the hit path, else through mu; false when that shard is full.
// The capacity may change between calls (WordStacks.SetLimit): a lowered
// one bounds the next push at once, on the hit path too, and what the
// shard holds above it stays until popped.
func (s *spills[T]) push(k int, v T, capacity int) bool {
	pid := procpin.Pin()
	sh := s.own(pid, k)
	ok := sh != nil && sh.pushHit(v, capacity)
	procpin.Unpin()
	return ok || s.at(pid, k).pushSlow(v, capacity)
}

// own returns P pid's own shard of member k, whose private part a
// goroutine pinned to pid may use: the shard in pid's slot when its owner
// is pid, which it is for every P id below the row's length (see
// spills); nil for a P id at or above it, whose slot is another P's, for a
// slot with no shard yet (its stand-in is no P's; the caller, pinned, may
// not make one: at does, past the hit path), and always under the race
// detector.
// WordStacks.PushPinned and PopPinned, written out for the inliner, apply
// this same rule.
func (s *spills[T]) own(pid, k int) *spill[T] {
	if sh := s.slot(pid, k).Load(); !race.Enabled && sh.owner == pid {
		return sh
	}
	return nil
}

// pushHit pushes v onto the private part of s, the shard of the P the
// goroutine is pinned to, if it is not revoked and has room (of the
// capacity's share); else it returns false having done nothing.
func (s *spill[T]) pushHit(v T, capacity int) bool {
	if s.state.Load() != owned || s.n >= len(s.priv) || s.n >= capacity/2 {
		return false
	}
	// Pinned, and mine: nothing else touches priv and n until procpin.Unpin.
	// (privCap is at least len(priv) but for a lowered capacity.)
	s.priv[s.n] = v
	s.n++
	return true
}

// pushSlow is push past the hit path, onto shard s.
func (s *spill[T]) pushSlow(v T, capacity int) bool {
	own, _ := s.lockPinned(capacity)
	ok := s.pushLocked(v, capacity, own)
	s.unlockPinned()
	return ok
}

// pushLocked pushes v with mu held and the goroutine pinned; own says that
// the private part is the caller's. A full private part (lockPinned grew it
// already if it could grow) moves its older half to the shared part.
func (s *spill[T]) pushLocked(v T, capacity int, own bool) bool {
	// Room in the shared part (lockPinned reserved it if the push may need
	// it; the bound by cap is a guard: an append must not allocate while
	// pinned).
	room := min(capacity-s.pc, cap(s.items)) - len(s.items)
	// The private part's bound: its length, or pc if a lowered capacity
	// made pc the smaller.
	if lim := min(len(s.priv), s.pc); own && lim > 0 {
		if s.n >= lim {
			// Move the older items to the shared part, down to half the
			// bound; a shard with no room for them is full.
			if m := min(s.n-lim/2, room); m > 0 {
				s.items = append(s.items, s.priv[:m]...)
				copy(s.priv[:], s.priv[m:s.n])
				clear(s.priv[s.n-m : s.n])
				s.n -= m
			}
			if s.n >= lim {
				return false
			}
		}
		s.priv[s.n] = v
		s.n++
		return true
	}
	if room <= 0 {
		return false
	}
	s.items = append(s.items, v)
	return true
}

// pop pops the newest item of the calling P's shard of member k or, when
// it is empty, of another shard of the member (see spill); false when every
// one was empty. It holds one shard's lock at a time, but for reclaim. The
// capacity is the member's, as for push: it bounds the private part that a
// P whose shard ran empty gets for the batches it takes from the others.
func (s *spills[T]) pop(k int, capacity int) (v T, ok bool) {
	pid := procpin.Pin()
	if sh := s.own(pid, k); sh != nil {
		v, ok = sh.popHit()
	}
	procpin.Unpin()
	if ok {
		return v, true
	}
	return s.at(pid, k).popSlow(capacity)
}

// popNear is pop without taking from other Ps' shards: the private part
// of the calling P's shard, then the shard's shared part (popOwn). A
// caller with a place of its own to look next (alloc's depot) looks there
// before it takes another P's values, which contends with that P's calls
// for its lock. Its pinned stretch is pop's, written out again: as a
// function of its own it would not inline (cost 237), and the fallback's
// hit path would take one more call.
func (s *spills[T]) popNear(k int, capacity int) (v T, ok bool) {
	pid := procpin.Pin()
	if sh := s.own(pid, k); sh != nil {
		v, ok = sh.popHit()
	}
	procpin.Unpin()
	if ok {
		return v, true
	}
	return s.at(pid, k).popOwn(capacity)
}

// popHit pops the newest item of the private part of s, the shard of the P
// the goroutine is pinned to, if it is not revoked and holds one; else it
// returns false having done nothing.
func (s *spill[T]) popHit() (v T, ok bool) {
	if s.state.Load() != owned || s.n == 0 {
		return v, false
	}
	// Pinned, and mine: nothing else touches priv and n until procpin.Unpin.
	s.n--
	v = s.priv[s.n]
	var zero T
	s.priv[s.n] = zero // hold no reference to what was handed out
	return v, true
}

// popSlow is pop past the hit path, from shard s.
func (s *spill[T]) popSlow(capacity int) (v T, ok bool) {
	if v, ok = s.popOwn(capacity); ok {
		return v, true
	}
	if v, ok = s.popOthers(); ok || race.Enabled || !s.reclaim() {
		return v, ok
	}
	if v, ok = s.popOwn(capacity); ok {
		return v, true
	}
	return s.popOthers()
}

// popOthers pops from the first non-empty shard of s's member after s in
// its row (wrapping around).
func (s *spill[T]) popOthers() (v T, ok bool) {
	row := s.group.row(s.member)
	for i := 1; i < len(row); i++ {
		if o := row[(s.owner+i)&(len(row)-1)].Load(); o.made() && o != s {
			if v, ok = o.popFor(s); ok {
				return v, true
			}
		}
	}
	return v, false
}

// popOwn pops the newest item of this shard only, under mu. The owner
// refills its private part from the shared part, half a part at a time;
// an owner without a private part gets one (lockFor), for the batches
// popFor moves into it.
func (s *spill[T]) popOwn(capacity int) (v T, ok bool) {
	own, reach := s.lockFor(capacity, 0)
	defer s.unlockPinned()
	if own && len(s.priv) > 0 && s.n == 0 && len(s.items) > 0 {
		m := min(len(s.items), max(len(s.priv)/2, 1))
		rest := len(s.items) - m
		s.n = copy(s.priv[:], s.items[rest:])
		clear(s.items[rest:])
		s.items = s.items[:rest]
	}
	return s.popLocked(reach)
}

// popFor pops the newest item of shard o for a caller whose own shard, s,
// ran empty, and moves more of o's shared part onto s's private part
// (moveTo): a P that only gets, while other Ps put, then takes o's lock
// once per batch instead of its own lock and o's for every value.
func (o *spill[T]) popFor(s *spill[T]) (v T, ok bool) {
	_, reach := o.lockPinned(0)
	defer o.unlockPinned()
	if v, ok = o.popLocked(reach); ok {
		o.moveTo(s)
	}
	return v, ok
}

// moveTo moves the newest items of o's shared part onto s's private part,
// up to filling it, if the goroutine runs on s's owner P and that part is
// not revoked. The caller holds o.mu and is pinned; the items leave o
// under its lock and enter s's part as the owner's hit path puts them
// there, without s.mu: pinned to the owner P, having read owned in this
// pinned stretch (see spill).
func (o *spill[T]) moveTo(s *spill[T]) {
	if race.Enabled || s.state.Load() != owned {
		return
	}
	pid := procpin.Pin() // the stretch is pinned already: this reads the P
	defer procpin.Unpin()
	if pid != s.owner {
		return
	}
	if m := min(len(o.items), len(s.priv)-s.n); m > 0 {
		rest := len(o.items) - m
		copy(s.priv[s.n:], o.items[rest:])
		clear(o.items[rest:])
		o.items = o.items[:rest]
		s.n += m
	}
}

// popLocked pops the newest item of s, with mu held and the goroutine
// pinned: of the private part if the caller may reach it, else of the
// shared part.
func (s *spill[T]) popLocked(reach bool) (v T, ok bool) {
	var zero T
	if reach && s.n > 0 {
		s.n--
		v = s.priv[s.n]
		s.priv[s.n] = zero
		return v, true
	}
	if len(s.items) == 0 {
		return v, false
	}
	last := len(s.items) - 1
	v = s.items[last]
	s.items[last] = zero
	s.items = s.items[:last]
	return v, true
}

// lockPinned locks mu and pins the goroutine. own says that the private
// part is the caller's (it runs on the owner P; a revoked part is taken
// back), reach that the caller may touch it (own, or revoked). A capacity
// above zero (a push) sets pc and makes room for the push without
// allocating while pinned: for the owner whose private part is full, a
// grown part while it may grow; else, for a push that may reach the
// shared part, room there for what the push may move into it (v, or the
// older half of a full private part). The shared part's reserve doubles
// (from privStart, up to its share of the capacity) each time it is too
// small, so a shard that overflows once does not pay for the whole
// capacity. What it allocates, it allocates unpinned (mu held), then pins
// again and looks again.
func (s *spill[T]) lockPinned(capacity int) (own, reach bool) { return s.lockFor(capacity, 1) }

// lockFor is lockPinned for a push of up to pushes values (pushBatch's:
// the shared part's whole share is reserved for it), or for a pop (pushes
// 0): a pop's capacity sets pc too, but it only gives an owner that has no
// private part its first one, and reserves nothing in the shared part.
func (s *spill[T]) lockFor(capacity int, pushes int) (own, reach bool) {
	push := pushes > 0
	s.mu.Lock()
	if capacity > 0 {
		if race.Enabled {
			s.pc = 0
		} else {
			s.pc = privCap(capacity)
		}
	}
	var grown, reserve []T
	for {
		pid := procpin.Pin()
		own = !race.Enabled && pid == s.owner
		if own {
			if s.state.Load() == revoked {
				s.state.Store(owned)
			}
			// Under mu and pinned on the owner P: no hit path and no mu
			// holder uses priv now, so it may be replaced.
			if len(grown) > len(s.priv) {
				copy(grown, s.priv[:s.n])
				s.priv = grown
			}
		}
		if cap(reserve) > cap(s.items) { // reserve holds the shared part and the push's room: no allocation
			s.items = append(reserve, s.items...)
		}
		lim := min(len(s.priv), s.pc)
		full := s.n >= lim // the push goes past the private part
		growPrivate := capacity > 0 && own && s.n >= len(s.priv) && len(s.priv) < s.pc && (push || len(s.priv) == 0)
		// What the push may move into the shared part: its values, and for
		// the owner the older half of its full private part (pushLocked).
		need := pushes
		if own && full {
			need += s.n - lim/2
		}
		reserveShared := push && capacity > 0 && !growPrivate && (!own || full) &&
			cap(s.items) < capacity-s.pc && cap(s.items)-len(s.items) < need
		if !growPrivate && !reserveShared {
			return own, own || !race.Enabled && s.state.Load() == revoked
		}
		procpin.Unpin()
		// priv changes only under mu, which is held: its length is stable.
		if growPrivate {
			grown = make([]T, min(max(2*len(s.priv), privStart), s.pc))
		} else {
			reserve = make([]T, 0, min(capacity-s.pc, max(2*cap(s.items), len(s.items)+need, privStart)))
		}
	}
}

// unlockPinned ends lockPinned.
func (s *spill[T]) unlockPinned() {
	procpin.Unpin()
	s.mu.Unlock()
}

// pushBatch pushes from the front of src onto the calling P's shard of
// member k while there is room and returns how many it pushed, as
// PushWords does.
func (sp *spills[T]) pushBatch(k int, src []T, capacity int) int {
	s := sp.at(shardHint(), k)
	own, _ := s.lockFor(capacity, capacity)
	defer s.unlockPinned()
	n := 0
	for n < len(src) && s.pushLocked(src[n], capacity, own) {
		n++
	}
	return n
}

// popBatch pops up to len(dst) items of the calling P's shard of member k
// only into dst, deepest first, as PopWords does, and returns how
// many. (Its caller, a batch refill, has a depot of its own to go to.) The
// shard's stack is the shared part under the private part.
func (sp *spills[T]) popBatch(k int, dst []T) int {
	s := sp.at(shardHint(), k)
	_, reach := s.lockPinned(0)
	defer s.unlockPinned()
	np := 0
	if reach {
		np = s.n
	}
	n := min(len(dst), len(s.items)+np)
	fromPriv := min(n, np)
	copy(dst[n-fromPriv:n], s.priv[np-fromPriv:np])
	clear(s.priv[np-fromPriv : np])
	if reach {
		s.n -= fromPriv
	}
	rest := len(s.items) - (n - fromPriv)
	copy(dst, s.items[rest:])
	clear(s.items[rest:])
	s.items = s.items[:rest]
	return n
}

// takeAll empties the shard and returns what it held. The first call of a
// drain that finds a private part in use revokes every such part of the
// family under one fence; the calls for the other shards find theirs
// revoked already.
func (s *spill[T]) takeAll() []T {
	if !race.Enabled && s.state.Load() == owned && s.privHint() {
		s.group.revoke(-1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !race.Enabled && s.state.Load() == owned && s.privHint() {
		// Its owner took the part back since: revoke it alone.
		s.state.Store(revoked)
		pinFence()
	}
	out := s.items
	if s.state.Load() == revoked {
		// Revoked, under mu: the part is ours, and so is the slice. The
		// owner allocates a new one at its next push, or its next pop
		// past the hit path (lockFor).
		out = append(out, s.priv[:s.n]...)
		s.priv, s.n = nil, 0
	}
	s.items = nil
	return out
}

// made reports whether s is a shard, not the stand-in for one not made yet
// (vacantFor).
func (s *spill[T]) made() bool { return s.member >= 0 }

// privHint reports whether the private part seemed to hold something. It
// reads n without owning it: a word-sized racy read, which sees 0 only if
// no push that happened before the call left something there; it decides
// only whether a fence is worth paying, never what is touched.
func (s *spill[T]) privHint() bool { return s.n > 0 }

// reclaim revokes the private parts of s's member that seem to hold
// something, unless this member already did so in this GC cycle; true
// when it revoked one.
func (s *spill[T]) reclaim() bool {
	g := s.group
	if g.reclaimedThisCycle(s.member) || !s.rowHint() {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.reclaimedThisCycle(s.member) || !g.revokeLocked(s.member) {
		return false
	}
	w := weak.Make(new(gcMark))
	g.reclaimed[s.member].Store(&w)
	return true
}

// rowHint reports whether a private part of s's member seemed to hold
// something (see privHint).
func (s *spill[T]) rowHint() bool {
	row := s.group.row(s.member)
	for i := range row {
		if row[i].Load().privHint() { // the stand-in's n is 0
			return true
		}
	}
	return false
}

// gcMark is what a weak pointer watches to learn that a collection has
// completed. It holds a pointer so that it is never one of the tiny
// allocator's blocks, which outlive their objects.
type gcMark struct{ _ *byte }

// spillGroup is what the shards of one family share: their table, and
// what revocations need.
type spillGroup[T any] struct {
	// mu serializes revocations, the only holders of more than one
	// shard's mu (they take them in table order), and the making of
	// shards (install).
	mu sync.Mutex
	// table holds member k's shard of P id i at k*n + i (n slots a row,
	// a power of two), each slot holding the stand-in (vacantFor) until
	// its shard is made: member k's row, table[k*n:(k+1)*n], is one slice
	// (row), which Private reads as its shards by P id. A slot, once it
	// holds a shard, never changes.
	table   []atomic.Pointer[spill[T]]
	members int
	// reclaimed is, per member, a weak pointer to a mark made by its last
	// reclaim; stored under mu.
	reclaimed []atomic.Pointer[weak.Pointer[gcMark]]
}

// reclaimedThisCycle reports whether member k reclaimed since the last
// completed collection (which clears the weak pointer: runtime.GC returns
// only after sweeping, so a Get right after it may reclaim again).
func (g *spillGroup[T]) reclaimedThisCycle(k int) bool {
	w := g.reclaimed[k].Load()
	return w != nil && w.Value() != nil
}

// revoke revokes the private parts in use of member k's shards (every
// member's when k < 0) under one fence.
func (g *spillGroup[T]) revoke(k int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.revokeLocked(k)
}

func (g *spillGroup[T]) revokeLocked(k int) bool {
	// g.mu is held: no shard is made meanwhile, so both loops see the same
	// shards.
	table := g.table
	if k >= 0 {
		table = g.row(k)
	}
	revoking := false
	for i := range table {
		if sh := table[i].Load(); sh.made() {
			sh.mu.Lock()
			if sh.state.Load() == owned && sh.privHint() {
				sh.state.Store(revoked)
				revoking = true
			}
		}
	}
	if revoking {
		pinFence() // with every mu held: nobody touches a revoked part before it returns
	}
	for i := range table {
		if sh := table[i].Load(); sh.made() {
			sh.mu.Unlock()
		}
	}
	return revoking
}

// row returns member k's row of the table: its shards by P id.
func (g *spillGroup[T]) row(k int) []atomic.Pointer[spill[T]] {
	n := len(g.table) / g.members
	return g.table[k*n : (k+1)*n : (k+1)*n]
}

// install returns member k's shard in slot i of its row, making it if the
// slot has none: the shard of P i, for a P that came after the family was
// made (GOMAXPROCS grew). The caller must not be pinned: mu may be held by
// a revocation waiting for every pinned stretch to end.
func (g *spillGroup[T]) install(i, k int) *spill[T] {
	g.mu.Lock()
	defer g.mu.Unlock()
	slot := &g.row(k)[i]
	if sh := slot.Load(); sh.made() {
		return sh
	}
	// A shard of its own is a 128-byte object, which the allocator starts
	// on a cache line (see ownerWords).
	sh := &spill[T]{owner: i, member: k, group: g}
	slot.Store(sh) // published whole: its owner's hit path finds it owned and empty
	return sh
}

// spills is the fallback of a family: for each member, a row of shards
// indexed by P id (spillGroup.table), shard i owned by P i.
//
// A row has a slot for every P id up to the larger of GOMAXPROCS and the
// CPU count, rounded up to a power of two (slotCount): GOMAXPROCS may grow
// after the family is made up to the CPU count with no call of the
// program's (Go 1.25 follows a container's CPU limit as it changes, and
// the test binary's -cpu flag sets it per benchmark), and a P with a slot
// gets its own shard, and its hit path, at its first call past it. But
// only the shards of the Ps there are when the family is made (shardCount)
// are made with it, in one array; the others are made by their P's first
// call (install), so a process that a container limits to a few CPUs of a
// large machine pays 128 bytes for each of its Ps and a word for each CPU.
// A P id beyond the row (GOMAXPROCS set above the CPU count after the
// family was made) shares another P's shard through its lock (at), and
// loses nothing.
type spills[T any] struct {
	table []atomic.Pointer[spill[T]] // group.table
	n     int                        // slots in a row
	mask  int                        // n - 1
	group *spillGroup[T]
}

func newSpills[T any](members int) spills[T] {
	n, made := slotCount(), shardCount()
	g := &spillGroup[T]{table: make([]atomic.Pointer[spill[T]], n*members), members: members,
		reclaimed: make([]atomic.Pointer[weak.Pointer[gcMark]], members)}
	vacant := vacantFor[T]()
	for i := range g.table {
		g.table[i].Store(vacant)
	}
	// The shards of the Ps there are now, in one array: P i's of member k
	// at i*members+k, each on two cache lines of its own (ownerWords).
	shards := make([]spill[T], made*members)
	for j := range shards {
		sh := &shards[j]
		sh.owner, sh.member, sh.group = j/members, j%members, g
		g.table[sh.member*n+sh.owner].Store(sh)
	}
	return spills[T]{table: g.table, n: n, mask: n - 1, group: g}
}

// vacantFor returns the stand-in for the shards of element type T not made
// yet: one shared by every family of that type, which is no shard (member
// -1), has no owner (owner -1: no hit path takes it as its P's own) and is
// revoked; nothing locks it or puts anything in it.
func vacantFor[T any]() *spill[T] {
	if v, ok := any(vacantEntries).(*spill[T]); ok {
		return v
	}
	if v, ok := any(vacantWords).(*spill[T]); ok {
		return v
	}
	return newVacant[T]() // another element type (the tests'): one per family
}

var (
	vacantEntries = newVacant[Entry]()
	vacantWords   = newVacant[uintptr]()
)

func newVacant[T any]() *spill[T] {
	v := &spill[T]{owner: -1, member: -1}
	v.state.Store(revoked)
	return v
}

// each calls fn with each of member k's shards that exist.
func (s *spills[T]) each(k int, fn func(*spill[T])) {
	row := s.group.row(k)
	for i := range row {
		if sh := row[i].Load(); sh.made() {
			fn(sh)
		}
	}
}

// count returns how many items member k's shards hold (each shard's count
// read under its lock, the private parts in use as a hint; the sum is a
// snapshot only while nothing changes).
func (s *spills[T]) count(k int) int {
	total := 0
	s.each(k, func(sh *spill[T]) {
		sh.mu.Lock()
		total += len(sh.items) + sh.n
		sh.mu.Unlock()
	})
	return total
}

// pinFence returns once every stretch of code that was pinned to a P
// (procpin.Pin) when it was called has ended, and with every later one seeing
// the caller's earlier stores. It stops the world, which the runtime does
// only with no goroutine pinned (a pinned goroutine is preempted neither
// synchronously nor by signal), through runtime.ReadMemStats, the one
// stop-the-world the runtime exports for nothing else. It costs tens of
// microseconds.
func pinFence() {
	pinFenceState.mu.Lock()
	defer pinFenceState.mu.Unlock()
	runtime.ReadMemStats(&pinFenceState.stats)
	pinFences.Add(1)
}

var pinFenceState struct {
	mu    sync.Mutex
	stats runtime.MemStats // guarded by mu
}

// pinFences counts pinFence calls, for the tests.
var pinFences atomic.Int64
