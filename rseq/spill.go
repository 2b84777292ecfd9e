package rseq

import "sync"

// spill is one fallback shard of one family member: a bounded stack under a
// mutex. The fallback never touches per-CPU memory, so it is safe whatever
// the sections are doing. Shards are picked by P id.
//
// A goroutine does not keep its P: a locked thread that stays on one CPU
// comes back from a collection or a blocking call on whichever P was idle.
// So pop, finding its shard empty, takes from the member's other shards
// before it reports empty: a value pushed on one P is never invisible to a
// pop on another, which is what the per-CPU stacks give a thread that
// stays on its CPU (and what sync.Pool's stealing gives its users).
//
// The mutex is the only synchronization: its Lock and Unlock are the two
// atomic instructions of every operation. (An atomic length beside it, to
// skip empty shards without locking, cost a third, an XCHG per store on
// amd64, for every operation: about a quarter of a Get+Put.)
type spill[T any] struct {
	mu    sync.Mutex
	items []T // guarded by mu
	// next is the same member's shard of the next P, in a ring through
	// all of the member's shards (itself when there is one); set by
	// newSpills, never changed.
	next *spill[T]
	_    [64]byte
}

func (s *spill[T]) push(v T, capacity int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.items) >= capacity {
		return false
	}
	s.items = append(s.items, v)
	return true
}

// pop pops the newest item of this shard or, when it is empty, of the
// first non-empty shard of the same member after it in the ring; false when
// every one was empty as it was visited. It holds one shard's lock at a
// time.
func (s *spill[T]) pop() (v T, ok bool) {
	if v, ok = s.popOwn(); ok {
		return v, true
	}
	for o := s.next; o != s; o = o.next {
		if v, ok = o.popOwn(); ok {
			return v, true
		}
	}
	return v, false
}

// popOwn pops the newest item of this shard only.
func (s *spill[T]) popOwn() (v T, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.items) == 0 {
		return v, false
	}
	last := len(s.items) - 1
	v = s.items[last]
	var zero T
	s.items[last] = zero // hold no reference to what was handed out
	s.items = s.items[:last]
	return v, true
}

// pushBatch pushes from the front of src while there is room and returns
// how many it pushed, as PushWords does.
func (s *spill[T]) pushBatch(src []T, capacity int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := min(len(src), capacity-len(s.items))
	if n <= 0 {
		return 0
	}
	s.items = append(s.items, src[:n]...)
	return n
}

// popBatch pops up to len(dst) items of this shard only into dst, deepest
// first, as PopWords does, and returns how many. (Its caller, a batch
// refill, has a depot of its own to go to.)
func (s *spill[T]) popBatch(dst []T) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := min(len(dst), len(s.items))
	rest := len(s.items) - n
	copy(dst, s.items[rest:])
	clear(s.items[rest:])
	s.items = s.items[:rest]
	return n
}

// takeAll empties the shard and returns what it held.
func (s *spill[T]) takeAll() []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.items
	s.items = nil
	return out
}

// spills is the fallback of a family: shards × members.
type spills[T any] struct {
	shards  []spill[T]
	members int
}

func newSpills[T any](members int) spills[T] {
	s := spills[T]{shards: make([]spill[T], shardCount()*members), members: members}
	for i := range s.shards {
		s.shards[i].next = &s.shards[(i+members)%len(s.shards)]
	}
	return s
}

// local returns the calling P's shard of member k.
func (s *spills[T]) local(k int) *spill[T] {
	n := len(s.shards) / s.members
	return &s.shards[(shardHint()&(n-1))*s.members+k]
}

// count returns how many items member k's shards hold (each shard's count
// read under its lock; the sum is a snapshot only while nothing changes).
func (s *spills[T]) count(k int) int {
	total := 0
	for i := k; i < len(s.shards); i += s.members {
		sh := &s.shards[i]
		sh.mu.Lock()
		total += len(sh.items)
		sh.mu.Unlock()
	}
	return total
}
