package rseq

import (
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/gorseq/percpu/internal/procpin"
	"github.com/gorseq/percpu/internal/race"
)

// pushShared pushes v onto sh's shared part, as a P that is not sh's owner
// does. It reserves the shared part first, as lockPinned does for a P that
// is not the owner (the calling P may be the owner, which lockPinned would
// give a private part instead).
func pushShared[T any](sh *spill[T], v T, capacity int) bool {
	sh.mu.Lock()
	sh.items = slices.Grow(sh.items, capacity)
	sh.mu.Unlock()
	sh.lockPinned(capacity)
	defer sh.unlockPinned()
	return sh.pushLocked(v, capacity, false)
}

// madeShards returns the shards of s that exist, member by member, each
// member's in P order.
func madeShards[T any](s *spills[T]) []*spill[T] {
	var out []*spill[T]
	for k := range s.group.members {
		s.each(k, func(sh *spill[T]) { out = append(out, sh) })
	}
	return out
}

// TestSpillPopTakesFromOtherShards: a value pushed on one P's shard is
// found by a pop that starts on any other P's shard of the same member,
// never from another member, and every value comes out once.
func TestSpillPopTakesFromOtherShards(t *testing.T) {
	const members = 3
	s := newSpills[int](members)
	n := len(madeShards(&s)) / members
	if n < 2 {
		t.Skipf("%d shard per member: nothing to take from", n)
	}
	shard := func(p, k int) *spill[int] { return s.at(p, k) }
	const k = 1
	for v := 1; v <= 3; v++ {
		pushShared(shard(0, k), v, 10) // the P the values were put on
	}
	pushShared(shard(0, k+1), 99, 10) // another member's value
	seen := map[int]bool{}
	for i := 0; i < 3; i++ {
		v, ok := shard(n-1, k).popSlow(10) // the P the thread came back on
		if !ok {
			t.Fatalf("pop %d on another P's shard: empty, with values on P 0's", i)
		}
		if v < 1 || v > 3 || seen[v] {
			t.Fatalf("pop %d returned %d (seen %v)", i, v, seen)
		}
		seen[v] = true
	}
	if v, ok := shard(n-1, k).popSlow(10); ok {
		t.Fatalf("pop returned %d from an empty member", v)
	}
	if got := s.count(k + 1); got != 1 {
		t.Fatalf("member %d holds %d values, want its own 1", k+1, got)
	}
}

// idlePrivate fills sh's private part as its owner would and makes the
// owner a P that never runs, as a P whose goroutine moved away is.
func idlePrivate(sh *spill[int], vs ...int) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.owner = -1 // no P has this id: nothing touches priv but mu holders
	sh.state.Store(owned)
	sh.priv = make([]int, privStart)
	sh.n = copy(sh.priv, vs)
}

// TestSpillReclaimsIdlePrivate: values in the private part of a P that no
// longer runs the member are found by a pop on any P, through one revocation
// (one fence); a second revocation waits for the next collection, and
// takes place after it.
func TestSpillReclaimsIdlePrivate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's builds use no private part")
	}
	s := newSpills[int](2)
	const k = 1
	idle := s.at(0, k)
	idlePrivate(idle, 1, 2, 3)
	before := pinFences.Load()
	var got []int
	for i := 0; i < 3; i++ {
		v, ok := idle.popSlow(10)
		if !ok {
			t.Fatalf("pop %d: empty, with %v in an idle P's private part", i, []int{1, 2, 3})
		}
		got = append(got, v)
	}
	slices.Sort(got)
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("popped %v, want 1 2 3", got)
	}
	if f := pinFences.Load() - before; f != 1 {
		t.Fatalf("%d fences for one idle private part, want 1", f)
	}
	idlePrivate(idle, 4)
	if v, ok := idle.popSlow(10); ok {
		t.Fatalf("a second revocation in one GC cycle took place (popped %d)", v)
	}
	runtime.GC()
	if v, ok := idle.popSlow(10); !ok || v != 4 {
		t.Fatalf("after a collection: pop = %d, %v; want 4 through a new revocation", v, ok)
	}
}

// TestSpillDrainTakesPrivate: takeAll over a member's shards returns what
// the hit path put in a private part, and the owner's next push takes the
// part back.
func TestSpillDrainTakesPrivate(t *testing.T) {
	s := newSpills[int](1)
	for v := 1; v <= 5; v++ {
		if !s.push(0, v, 60) {
			t.Fatalf("push %d refused", v)
		}
	}
	var got []int
	for _, sh := range madeShards(&s) {
		got = append(got, sh.takeAll()...)
	}
	slices.Sort(got)
	if !slices.Equal(got, []int{1, 2, 3, 4, 5}) || s.count(0) != 0 {
		t.Fatalf("takeAll returned %v, %d left; want 1 to 5 and none", got, s.count(0))
	}
	if !s.push(0, 6, 60) {
		t.Fatal("push after a drain refused")
	}
	if v, ok := s.pop(0, 60); !ok || v != 6 {
		t.Fatalf("pop after a drain = %d, %v; want 6", v, ok)
	}
}

// TestSpillRows: member k's row holds its shards by P id, each owned by
// the P of its slot, and every shard made with the family is in its
// member's row once.
func TestSpillRows(t *testing.T) {
	for _, members := range []int{1, 2, 5} {
		s := newSpills[int](members)
		seen := map[*spill[int]]bool{}
		for k := range members {
			row := s.group.row(k)
			if len(row) != s.n {
				t.Fatalf("%d members: member %d's row has %d slots, want %d", members, k, len(row), s.n)
			}
			for i := range row {
				sh := row[i].Load()
				if !sh.made() {
					if sh.owner != -1 || sh.state.Load() != revoked {
						t.Fatalf("%d members: member %d's slot %d holds neither a shard nor the revoked stand-in", members, k, i)
					}
					continue
				}
				if sh.owner != i || sh.member != k || seen[sh] {
					t.Fatalf("%d members: member %d's slot %d holds the shard of P %d, member %d (seen %v)",
						members, k, i, sh.owner, sh.member, seen[sh])
				}
				seen[sh] = true
			}
		}
		if want := shardCount() * members; len(seen) != want {
			t.Fatalf("%d members: %d shards made with the family, want %d", members, len(seen), want)
		}
	}
	// An entry family's empty slots all hold the one stand-in of its type,
	// which costs no family anything.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	e := newSpills[Entry](2)
	for i := range e.table {
		if sh := e.table[i].Load(); !sh.made() && sh != vacantEntries {
			t.Fatalf("slot %d of an entry family holds a stand-in of its own", i)
		}
	}
}

// TestSpillFollowsItsCapacity: a shard holds exactly as much as the
// capacity of the push allows, and a capacity changed between pushes (a
// WordStacks limit) bounds the next push at once, on the private part's
// hit path too; what the shard held above a lowered capacity stays until
// popped, and nothing is lost or duplicated.
func TestSpillFollowsItsCapacity(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one P: every call is the owner's
	s := newSpills[uintptr](1)
	next := uintptr(1)
	fill := func(capacity int) {
		t.Helper()
		for s.push(0, next, capacity) {
			next++
			if next > 1<<20 {
				t.Fatalf("capacity %d: pushes never refused", capacity)
			}
		}
		if got := s.count(0); got != capacity {
			t.Fatalf("capacity %d: the shard holds %d after the first refused push", capacity, got)
		}
	}
	var popped []uintptr
	fill(256)
	if s.push(0, next, 16) {
		t.Fatalf("a push at capacity 16 accepted with 256 held")
	}
	for range 250 {
		v, ok := s.pop(0, 16)
		if !ok {
			t.Fatalf("pop refused with values held")
		}
		popped = append(popped, v)
	}
	fill(16)
	fill(512)
	for {
		v, ok := s.pop(0, 512)
		if !ok {
			break
		}
		popped = append(popped, v)
	}
	slices.Sort(popped)
	for i, v := range popped {
		if v != uintptr(i+1) {
			t.Fatalf("the values popped are not 1..%d once each: %d at %d", next-1, v, i)
		}
	}
	if uintptr(len(popped)) != next-1 {
		t.Fatalf("%d values pushed, %d popped", next-1, len(popped))
	}

	// A private part that grew large but never overflowed has no shared
	// part reserved; under a lowered capacity its older values must still
	// move there, not make the shard refuse below its capacity.
	s = newSpills[uintptr](1)
	for v := uintptr(1); v <= privMax; v++ {
		if !s.push(0, v, 2*privMax) {
			t.Fatalf("push %d of %d refused", v, privMax)
		}
	}
	for range privMax - 10 {
		s.pop(0, 2*privMax)
	}
	fill(16)
}

// TestSpillShardsFollowGOMAXPROCS: a family makes a shard per P, rounded
// up to a power of two, whatever the CPU count: a process limited to a few
// CPUs of a large machine pays for its Ps only. Its rows have a slot for
// every P up to the CPU count. A P that comes after the family was made
// (GOMAXPROCS grew) gets a shard of its own at its first call, and one
// beyond the CPU count shares a shard; none loses anything.
func TestSpillShardsFollowGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct{ procs, shards int }{{1, 1}, {2, 2}, {3, 4}, {5, 8}} {
		runtime.GOMAXPROCS(c.procs)
		s := newSpills[int](2)
		slots := powerOfTwoAtLeast(max(c.procs, runtime.NumCPU()))
		if got := len(madeShards(&s)) / 2; got != c.shards || s.n != slots || s.mask != slots-1 || len(s.table) != 2*slots {
			t.Fatalf("GOMAXPROCS %d on %d CPUs: %d shards, %d slots a row (mask %d, table %d), want %d shards, %d slots",
				c.procs, runtime.NumCPU(), got, s.n, s.mask, len(s.table), c.shards, slots)
		}
	}
	runtime.GOMAXPROCS(1)
	s := newSpills[int](1)
	runtime.GOMAXPROCS(8) // seven Ps without a shard of their own
	const n, capacity = 200, 16 * 200
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for v := w * n; v < (w+1)*n; v++ {
				if !s.push(0, v, capacity) { // the shared part alone has room for all
					t.Errorf("push of %d refused by a shard of capacity %d", v, capacity)
				}
				runtime.Gosched()
			}
		})
	}
	wg.Wait()
	seen := map[int]bool{}
	for {
		v, ok := s.pop(0, capacity)
		if !ok {
			break
		}
		if seen[v] {
			t.Fatalf("%d popped twice", v)
		}
		seen[v] = true
	}
	if len(seen) != 8*n {
		t.Fatalf("%d of %d values came back", len(seen), 8*n)
	}
}

// TestSpillLaterPsGetShards: a family made at GOMAXPROCS 1 has a slot for
// every P up to the CPU count; the first call of a P that came later makes
// that P's own shard (at), the hit path's from then on (own), and a P id
// beyond the row uses the shard of its slot's P without owning it.
func TestSpillLaterPsGetShards(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s := newSpills[int](2)
	if made := len(madeShards(&s)); made != 2 {
		t.Fatalf("made at GOMAXPROCS 1: %d shards, want one per member", made)
	}
	const k = 1
	for pid := range s.n {
		sh := s.at(pid, k)
		if sh.owner != pid || sh.member != k || s.at(pid, k) != sh || s.slot(pid, k).Load() != sh {
			t.Fatalf("P %d: shard of P %d, member %d; made twice %v", pid, sh.owner, sh.member, s.at(pid, k) != sh)
		}
		if own := s.own(pid, k); !race.Enabled && own != sh {
			t.Fatalf("P %d: own = %p, want its shard %p", pid, own, sh)
		}
		if beyond := pid + s.n; s.at(beyond, k) != sh || s.own(beyond, k) != nil {
			t.Fatalf("P %d, beyond the row: uses another shard or owns P %d's", beyond, pid)
		}
	}
	row, made := s.group.row(0), 0
	for i := range row {
		if row[i].Load().made() {
			made++
		}
	}
	if made != 1 {
		t.Fatalf("member 0 has %d shards after calls for member 1 only, want the one made with it", made)
	}
	// An entry family's Private, taken before, sees the shards made after.
	es := NewEntryStacks([]int{16, 16})
	private := es.Private(k)
	sp := es.shards()
	for pid := range sp.n {
		if sh := sp.at(pid, k); private.byP[pid].Load() != sh {
			t.Fatalf("P %d: Private taken before its shard was made does not see it", pid)
		}
	}
}

// TestSpillPopMovesABatch: a pop whose own shard ran empty takes a value
// from another shard and moves that shard's next newest values onto its
// own private part, up to filling it, so that the next pops are hits; it
// moves nothing onto a part that is revoked or that another P owns, and no
// value is lost or moved twice.
func TestSpillPopMovesABatch(t *testing.T) {
	const capacity = 64
	for _, c := range []struct {
		name    string
		owner   bool // the popping P owns shard a
		revoked bool // a's private part is revoked
		moved   int
	}{
		{name: "owner", owner: true, moved: 8},
		{name: "another P's part", moved: 0},
		{name: "revoked part", owner: true, revoked: true, moved: 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var a, b spill[int]
			a.priv = make([]int, 8)
			for v := 1; v <= 20; v++ {
				pushShared(&b, v, capacity)
			}
			if c.revoked {
				a.state.Store(revoked)
			}
			b.lockPinned(0)
			pid := procpin.Pin() // pinned already: the P cannot change here
			procpin.Unpin()
			a.owner = pid + 1
			if c.owner {
				a.owner = pid
			}
			v, ok := b.popLocked(false)
			b.moveTo(&a)
			b.unlockPinned()
			if !ok || v != 20 {
				t.Fatalf("popped %d, %v; want the newest, 20", v, ok)
			}
			if race.Enabled {
				c.moved = 0 // no private parts under the race detector (see spill)
			}
			if a.n != c.moved || len(b.items) != 19-c.moved {
				t.Fatalf("moved %d (the other shard keeps %d); want %d", a.n, len(b.items), c.moved)
			}
			for i := range a.n { // the newest values, in order: the part pops 19 next
				if want := 19 - c.moved + 1 + i; a.priv[i] != want {
					t.Fatalf("private part %v, want %d.. at its bottom", a.priv[:a.n], 19-c.moved+1)
				}
			}
			for i, v := range b.items {
				if v != i+1 {
					t.Fatalf("the other shard keeps %v, want 1..%d", b.items, 19-c.moved)
				}
			}
			for _, v := range b.items[len(b.items):cap(b.items)] {
				if v != 0 {
					t.Fatalf("the other shard still refers to %d past its length", v)
				}
			}
		})
	}
}

// TestSpillSharedPartGrowsWithUse: a shard's shared part is reserved as
// pushes reach it, doubling, not all at once: a few values past the
// private part reserve a few slots; and the shard still takes exactly its
// capacity, then refuses, and gives every value back once.
func TestSpillSharedPartGrowsWithUse(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one P: every push is its shard's owner's
	const capacity = 64
	s := newSpills[int](1)
	sh := s.at(0, 0)
	private, share := privCap(capacity), capacity-privCap(capacity)
	if race.Enabled { // no private part: the shared part holds it all
		private, share = 0, capacity
	}
	v := 1
	for ; v <= private+3; v++ { // the private part and three more
		if !s.push(0, v, capacity) {
			t.Fatalf("push %d of a shard of capacity %d refused", v, capacity)
		}
	}
	sh.mu.Lock()
	reserved := cap(sh.items)
	sh.mu.Unlock()
	if reserved >= share {
		t.Fatalf("%d values pushed, 3 past the private part: the shared part reserved %d slots, its whole share", v-1, reserved)
	}
	for ; v <= capacity; v++ {
		if !s.push(0, v, capacity) {
			t.Fatalf("push %d of a shard of capacity %d refused", v, capacity)
		}
	}
	if s.push(0, v, capacity) {
		t.Fatalf("push %d into a full shard of capacity %d accepted", v, capacity)
	}
	seen := map[int]bool{}
	for {
		got, ok := s.pop(0, capacity)
		if !ok {
			break
		}
		if got < 1 || got > capacity || seen[got] {
			t.Fatalf("pop returned %d (seen before: %v)", got, seen[got])
		}
		seen[got] = true
	}
	if len(seen) != capacity {
		t.Fatalf("%d of %d values came back", len(seen), capacity)
	}
}
