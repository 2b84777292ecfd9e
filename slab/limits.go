package slab

import "sync"

// Per-CPU limits. Each cached class's stack has a capacity fixed when the
// stacks are created (the generated table's) and a limit, the same on every
// CPU, that the tuner moves between 1 and that capacity. The byte budget
// (Options.CacheBytesPerCPU) bounds the sum over classes of limit × size, so
// no CPU ever caches more than the budget (words above a lowered limit stay
// until popped, briefly exceeding it).
//
// Limits start small and grow on demand, as TCMalloc's do: every
// growEvery slow-path events of a class (a miss — the cache was empty — or
// an overflow — it was full) double its limit, if the budget has room; if
// not, the class that caused the fewest events since the last such
// decision gives back half of its limit. Changing a limit stops and fences
// every CPU (rseq.WordStacks.SetLimit), so decisions are rate-limited by
// the events themselves: each event moved a whole batch.
//
// In the fallback (no restartable sequences) the limits bound the mutex
// shards instead, one per P, and move the same way; setting one is a
// store there.

// growEvery is how many slow-path events of a class lead to one attempt to
// raise its limit.
const growEvery = 8

// tuner decides the per-CPU limits.
type tuner struct {
	mu     sync.Mutex // held by the one goroutine adjusting limits; others skip
	budget int64
	used   int64             // guarded by mu; Σ limits[k] × size
	limits [numClasses]int   // guarded by mu
	floor  [numClasses]int   // the initial limits; stealing stops there
	seen   [numClasses]int64 // guarded by mu; events at the last steal
	n      int               // cached classes
}

// init chooses the initial limits of the first n classes within budget and
// returns them: every class starts at 1 (see cachedFraction), then,
// smallest class first, at one batch while three quarters of the budget
// last.
func (t *tuner) init(budget int64, n int) []int {
	t.budget, t.n = budget, n
	for k := 0; k < n; k++ {
		t.limits[k] = 1
		t.used += int64(classes[k].size)
	}
	for k := 0; k < n; k++ {
		want := min(classes[k].batch, classes[k].capacity)
		extra := int64(want-1) * int64(classes[k].size)
		if t.used+extra > budget*3/4 {
			break
		}
		t.limits[k] = want
		t.used += extra
	}
	t.floor = t.limits
	return t.limits[:n]
}

// noteSlow records a slow-path event of class k and now and then tries to
// raise its limit.
func (a *Allocator) noteSlow(k int) {
	if !a.growable || a.classes[k].events.Add(1)%growEvery != 0 {
		return
	}
	a.tuner.grow(a, k)
}

// grow doubles class k's limit as far as the budget allows, stealing from
// the least active class if it must. If another goroutine is adjusting, it
// does nothing: the next events will ask again.
func (t *tuner) grow(a *Allocator, k int) {
	if !t.mu.TryLock() {
		return
	}
	defer t.mu.Unlock()
	cur := t.limits[k]
	want := min(classes[k].capacity, 2*cur)
	if want <= cur {
		return
	}
	size := int64(classes[k].size)
	if t.used+int64(want-cur)*size > t.budget {
		t.steal(a, k)
	}
	want = min(want, cur+int((t.budget-t.used)/size))
	if want > cur {
		t.set(a, k, want)
	}
}

// steal halves the limit of the class with the fewest events since the last
// steal (fewer than k's), once. Called with mu held.
func (t *tuner) steal(a *Allocator, k int) {
	victim, fewest := -1, int64(0)
	for j := 0; j < t.n; j++ {
		delta := a.classes[j].events.Load() - t.seen[j]
		if j != k && t.limits[j] > t.floor[j] && (victim < 0 || delta < fewest) {
			victim, fewest = j, delta
		}
	}
	mine := a.classes[k].events.Load() - t.seen[k]
	for j := 0; j < t.n; j++ {
		t.seen[j] = a.classes[j].events.Load()
	}
	if victim >= 0 && fewest < mine {
		t.set(a, victim, max(t.floor[victim], t.limits[victim]/2))
	}
}

// set changes class k's limit. Called with mu held.
func (t *tuner) set(a *Allocator, k, limit int) {
	if a.stacks.SetLimit(k, limit) != nil {
		return
	}
	t.used += int64(limit-t.limits[k]) * int64(classes[k].size)
	t.limits[k] = limit
	a.classes[k].limit.Store(int64(limit))
}
