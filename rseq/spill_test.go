package rseq

import "testing"

// TestSpillPopTakesFromOtherShards: a value pushed on one P's shard is
// found by a pop on any other P's shard of the same member, never from
// another member, and every value comes out once.
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
		shard(0, k).push(v, 10) // the P the values were put on
	}
	shard(0, k+1).push(99, 10) // another member's value
	seen := map[int]bool{}
	for i := 0; i < 3; i++ {
		v, ok := shard(n-1, k).pop() // the P the thread came back on
		if !ok {
			t.Fatalf("pop %d on another P's shard: empty, with values on P 0's", i)
		}
		if v < 1 || v > 3 || seen[v] {
			t.Fatalf("pop %d returned %d (seen %v)", i, v, seen)
		}
		seen[v] = true
	}
	if v, ok := shard(n-1, k).pop(); ok {
		t.Fatalf("pop returned %d from an empty member", v)
	}
	if got := s.count(k + 1); got != 1 {
		t.Fatalf("member %d holds %d values, want its own 1", k+1, got)
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
