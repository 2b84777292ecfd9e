package rseq

import "sync"

// spill is one fallback shard of one family member: a bounded stack under a
// mutex. The fallback never touches per-CPU memory, so it is safe whatever
// the sections are doing. Shards are picked by P id.
//
// The mutex is the only synchronization: its Lock and Unlock are the two
// atomic instructions of every operation. (An atomic length beside it, to
// skip empty shards without locking, cost a third, an XCHG per store on
// amd64, for every operation: about a quarter of a Get+Put.)
type spill[T any] struct {
	mu    sync.Mutex
	items []T // guarded by mu
	_     [64]byte
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

func (s *spill[T]) pop() (v T, ok bool) {
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

// popBatch pops up to len(dst) items into dst, deepest first, as PopWords
// does, and returns how many.
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
	return spills[T]{shards: make([]spill[T], shardCount()*members), members: members}
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
