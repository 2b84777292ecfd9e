package rseq

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorseq/percpu/internal/arch"
)

// TestFenceManager is param_test's membarrier manager test: while workers
// push and pop on every CPU, a manager stops the family, fences, and checks
// that the stopped per-CPU memory does not change until it restarts the
// family. Any section that slipped past the stop word would change it. It
// runs once per fence kind; a run with the stop words but no fence shows
// that the check can see a violation.
func TestFenceManager(t *testing.T) {
	if !Enabled() {
		t.Skip("no sections run in fallback mode: " + Status().Reason)
	}
	if err := fenceStatus(); err != nil {
		t.Fatalf("rseq is on but no fence works: %v", err)
	}
	kinds := []string{"sched"}
	if fenceKind == "membarrier" {
		kinds = append(kinds, "membarrier")
	}
	for _, kind := range kinds {
		t.Run("fence="+kind, func(t *testing.T) {
			defer func(k string) { fenceKind = k }(fenceKind)
			fenceKind = kind
			rounds := 300
			if kind == "sched" {
				rounds = 40 // each walk waits for a turn on every busy CPU
			}
			if v := runManager(t, true, rounds); v > 0 {
				t.Fatalf("%d of %d rounds saw stopped per-CPU memory change", v, rounds)
			}
		})
	}
	v := runManager(t, false, 300)
	t.Logf("stop words without a fence: %d of 300 rounds saw the memory change", v)
}

// runManager runs the manager loop with or without the fence and returns
// how many rounds saw stopped memory change.
func runManager(t *testing.T, withFence bool, rounds int) (violations int) {
	s := NewWordStacks([]int{16, 16})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4*runtime.NumCPU(); w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				if i%128 == 0 {
					select {
					case <-stop:
						return
					default:
					}
				}
				k := i & 1
				if i%3 == 0 {
					s.Pop(k)
				} else {
					s.Push(k, uintptr(w<<20|i+1))
				}
			}
		}(w)
	}
	if testing.Short() || raceEnabled {
		rounds = min(rounds, 20)
	}
	for r := 0; r < rounds; r++ {
		if withFence {
			if err := s.stopAll(); err != nil {
				t.Fatalf("stop: %v", err)
			}
		} else {
			for i := 0; i < nIndexes; i++ {
				atomic.StoreUintptr(s.word(i, arch.StopOff), 1)
			}
		}
		before := slices.Clone(s.mem)
		for spin := 0; spin < 100; spin++ {
			runtime.Gosched()
		}
		if !slices.Equal(before, s.mem) {
			violations++
		}
		s.restartAll()
	}
	close(stop)
	wg.Wait()
	return violations
}

// TestStoppedUsesShards checks that while a family is stopped its calls
// still work, through the shards, and nothing is lost across the restart.
func TestStoppedUsesShards(t *testing.T) {
	s := NewWordStacks([]int{8})
	if Enabled() {
		if err := s.stopAll(); err != nil {
			t.Skip("no fence: " + err.Error())
		}
	}
	for v := uintptr(1); v <= 4; v++ {
		if !s.Push(0, v) {
			t.Fatalf("push %d refused while stopped", v)
		}
	}
	if got := s.spills.count(0); got != 4 {
		t.Fatalf("shards hold %d words, want 4", got)
	}
	s.restartAll()
	var all []uintptr
	s.Drain(func(k int, w []uintptr) { all = append(all, w...) })
	slices.Sort(all)
	if !slices.Equal(all, []uintptr{1, 2, 3, 4}) {
		t.Fatalf("drained %v", all)
	}
}
