package slab

import (
	"testing"
	"unsafe"
)

// churn allocates n objects of size and frees them, rounds times: a pattern
// of misses then overflows.
func churn(a *Allocator, size uintptr, n, rounds int) {
	objs := make([]unsafe.Pointer, n)
	for r := 0; r < rounds; r++ {
		for i := range objs {
			objs[i] = a.Alloc(size)
		}
		for _, p := range objs {
			a.Free(p)
		}
	}
}

func limitOf(a *Allocator, size uintptr) int {
	return int(a.classes[classOf(size)].limit.Load())
}

func TestLimitGrowsOnMissAndOverflowPattern(t *testing.T) {
	a := newTest(t, Options{})
	skipIfProtect(t, a)
	if !a.growable {
		t.Fatal("limits are fixed: setting one failed")
	}
	const size = 512
	before := limitOf(a, size)
	churn(a, size, 4*classes[classOf(size)].capacity, 20)
	if after := limitOf(a, size); after <= before {
		t.Errorf("limit of the %d-byte class stayed %d after repeated misses and overflows", size, after)
	}
	assertWithinBudget(t, a, DefaultCacheBytesPerCPU)
}

func TestBudgetBoundsLimits(t *testing.T) {
	const budget = 128 << 10
	a := newTest(t, Options{CacheBytesPerCPU: budget})
	skipIfProtect(t, a)
	if a.cachedMax > budget/cachedFraction {
		t.Errorf("classes up to %d bytes cached with a %d-byte budget", a.cachedMax, budget)
	}
	assertWithinBudget(t, a, budget)
	// Each class in turn is busy; each must grow (taking from the idle
	// ones once the budget is spent), and the sum stays within it.
	for _, size := range []uintptr{16, 64, 512, 2048, 4096, 1024} {
		before := limitOf(a, size)
		churn(a, size, 2000, 5)
		if limitOf(a, size) <= before {
			t.Errorf("the %d-byte class did not grow (limit %d)", size, limitOf(a, size))
		}
		assertWithinBudget(t, a, budget)
	}
}

func assertWithinBudget(t *testing.T, a *Allocator, budget int64) {
	t.Helper()
	var sum int64
	for k := 0; k < int(a.cachedClasses); k++ {
		l := a.classes[k].limit.Load()
		if l < 1 || l > int64(a.stacks.Capacity(k)) {
			t.Errorf("class %d: limit %d outside [1, %d]", k, l, a.stacks.Capacity(k))
		}
		sum += l * int64(classes[k].size)
	}
	if sum > budget {
		t.Errorf("per-CPU limits sum to %d bytes, over the %d-byte budget", sum, budget)
	}
}

func TestInitialLimits(t *testing.T) {
	a := newTest(t, Options{})
	if got := a.cachedMax; got != 49152 {
		t.Errorf("largest cached class %d bytes, want 49152 (budget/%d)", got, cachedFraction)
	}
	for _, size := range []uintptr{8, 64, 1024, 4096} {
		if l, b := limitOf(a, size), classes[classOf(size)].batch; l != b {
			t.Errorf("%d-byte class starts at limit %d, want a batch (%d)", size, l, b)
		}
	}
	assertWithinBudget(t, a, DefaultCacheBytesPerCPU)
}
