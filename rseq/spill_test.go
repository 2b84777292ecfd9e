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

// TestSpillPopTakesFromOtherShards: a value pushed on one P's shard is
// found by a pop that starts on any other P's shard of the same member,
// never from another member, and every value comes out once.
func TestSpillPopTakesFromOtherShards(t *testing.T) {
	const members = 3
	s := newSpills[int](members)
	n := len(s.shards) / members
	if n < 2 {
		t.Skipf("%d shard per member: nothing to take from", n)
	}
	shard := func(p, k int) *spill[int] { return &s.shards[p*members+k] }
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
	idle := &s.shards[k]
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
	for i := range s.shards {
		got = append(got, s.shards[i].takeAll()...)
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

// TestSpillRing: each member's shards form one ring through all of them.
func TestSpillRing(t *testing.T) {
	for _, members := range []int{1, 2, 5} {
		s := newSpills[int](members)
		n := len(s.shards) / members
		index := map[*spill[int]]int{}
		for i := range s.shards {
			index[&s.shards[i]] = i
		}
		for k := 0; k < members; k++ {
			start := &s.shards[k]
			sh, visited := start, 0
			for {
				i, ok := index[sh]
				if !ok || i%members != k {
					t.Fatalf("%d members: member %d's ring reaches shard %d (known %v)", members, k, i, ok)
				}
				if visited++; visited > n {
					t.Fatalf("%d members: member %d's ring does not return to its start", members, k)
				}
				if sh = sh.next; sh == start {
					break
				}
			}
			if visited != n {
				t.Fatalf("%d members: member %d's ring visits %d of %d shards", members, k, visited, n)
			}
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

// TestSpillShardsFollowGOMAXPROCS: a family gets a shard per P, rounded up
// to a power of two, whatever the CPU count: a process limited to a few
// CPUs of a large machine pays for its Ps only. A P that comes after the
// family was made (GOMAXPROCS grew) shares a shard, and loses nothing.
func TestSpillShardsFollowGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct{ procs, shards int }{{1, 1}, {2, 2}, {3, 4}, {5, 8}} {
		runtime.GOMAXPROCS(c.procs)
		s := newSpills[int](2)
		if got := len(s.shards) / 2; got != c.shards || s.mask != c.shards-1 {
			t.Fatalf("GOMAXPROCS %d on %d CPUs: %d shards (mask %d), want %d",
				c.procs, runtime.NumCPU(), got, s.mask, c.shards)
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
