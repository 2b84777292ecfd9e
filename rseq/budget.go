package rseq

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The per-CPU budget bounds the bytes of entry-stack blocks (see
// EntryStacks) that all families of the process hold together on one CPU
// index. A family's first block on an index is always allocated (without
// one its calls could not run sections there); growing member 0 beyond its
// starting capacity is allowed only while the index stays within the
// budget. Draining a family gives its blocks back, and so does dropping it:
// a cleanup returns what an unreachable family held (a reservation).

// DefaultPerCPUBudget is the per-CPU budget until SetPerCPUBudget changes
// it: 1 MiB, room for about 32,000 cached values per CPU across all pools
// (TCMalloc's default per-CPU cache is 1.5 MiB per CPU for all size classes
// together).
const DefaultPerCPUBudget = 1 << 20

var perCPUBudget atomic.Int64

func init() { perCPUBudget.Store(DefaultPerCPUBudget) }

// perCPUHeld is, per index, the bytes of entry-stack blocks held on it.
// It is allocated at first use, after init has set nIndexes.
var perCPUHeld = sync.OnceValue(func() []atomic.Int64 { return make([]atomic.Int64, nIndexes) })

// SetPerCPUBudget sets the per-CPU budget to bytes and returns the previous
// one. Lowering it stops growth; it does not shrink what is held.
func SetPerCPUBudget(bytes int64) (previous int64) { return perCPUBudget.Swap(bytes) }

// PerCPUHeld returns the bytes of entry-stack blocks held on the index
// that holds the most, and on all indexes together.
func PerCPUHeld() (most, total int64) {
	for i := range perCPUHeld() {
		n := perCPUHeld()[i].Load()
		most = max(most, n)
		total += n
	}
	return most, total
}

// reserve counts bytes more on index i: always when force is set, else only
// if the index stays within the budget.
func reserve(i int, bytes int64, force bool) bool {
	held := &perCPUHeld()[i]
	if force {
		held.Add(bytes)
		return true
	}
	for {
		n := held.Load()
		if n+bytes > perCPUBudget.Load() {
			return false
		}
		if held.CompareAndSwap(n, n+bytes) {
			return true
		}
	}
}

// unreserve counts bytes fewer on index i.
func unreserve(i int, bytes int64) { perCPUHeld()[i].Add(-bytes) }

// A reservation is what one family holds against the budget, per index.
// It lives apart from its family so that a cleanup can give it back once
// the family is unreachable: a program that drops a pool without draining
// it (a pool per connection, per request) must not use up the budget of the
// pools that stay.
//
// It counts only the indexes up to the highest the family has used, not
// every possible one: a cloud VM may report hundreds of possible CPUs and
// run on two, and a per-index count for each would cost every pool 8 bytes
// per possible CPU (on top of its block table's 8).
type reservation struct {
	// bytes points at the counts of indexes 0 to the highest used; a longer
	// copy replaces it (with the family's mu held). Atomic, because the
	// cleanup reads it on the cleanup goroutine.
	bytes atomic.Pointer[[]atomic.Int64]
}

// reservationOf returns s's reservation, creating it (and the cleanup that
// gives it back) on first use. Called with s.mu held.
func (s *EntryStacks) reservationOf() *reservation {
	if s.held == nil {
		s.held = new(reservation)
		runtime.AddCleanup(s, (*reservation).giveBack, s.held)
	}
	return s.held
}

// add counts n bytes more on index i. Called with the family's mu held.
func (r *reservation) add(i int, n int64) {
	p := r.bytes.Load()
	if p == nil || i >= len(*p) {
		longer := make([]atomic.Int64, i+1)
		if p != nil {
			for j := range *p {
				longer[j].Store((*p)[j].Load())
			}
		}
		r.bytes.Store(&longer)
		p = &longer
	}
	(*p)[i].Add(n)
}

// reserve counts bytes more on index i for s, as the package-level reserve
// does. Called with s.mu held.
func (s *EntryStacks) reserve(i int, bytes int64, force bool) bool {
	if !reserve(i, bytes, force) {
		return false
	}
	s.reservationOf().add(i, bytes)
	return true
}

// unreserve counts bytes fewer on index i for s. Called with s.mu held.
func (s *EntryStacks) unreserve(i int, bytes int64) {
	s.reservationOf().add(i, -bytes)
	unreserve(i, bytes)
}

// giveBack returns everything r holds to the budget.
func (r *reservation) giveBack() {
	p := r.bytes.Load()
	if p == nil {
		return
	}
	for i := range *p {
		if n := (*p)[i].Swap(0); n != 0 {
			unreserve(i, n)
		}
	}
}
