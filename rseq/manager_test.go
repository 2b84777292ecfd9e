package rseq

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// TestFenceManager is param_test's membarrier manager test: while workers
// push and pop on every CPU, a manager stops the family, fences, and checks
// that the stopped per-CPU memory does not change while every worker runs
// more calls (which must all go to the shards) until it restarts the
// family. Any section that slipped past the stop word would change it. It
// runs once per fence kind. The fence's mutation check is elsewhere: without
// it, the grow and shrink conservation tests fail in the delay build (see
// docs/rseq.md); a stopped window here is too short, on this VM and under
// TCG, for a stop word without a fence to be seen failing.
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
			if testing.Short() || raceEnabled {
				rounds = min(rounds, 20)
			}
			if v := runManager(t, rounds); v > 0 {
				t.Fatalf("%d of %d rounds saw stopped per-CPU memory change", v, rounds)
			}
		})
	}
}

// managerBatch is how many calls a manager test worker makes between two
// reports of its progress; it then yields, so that every worker runs within
// a few batches of the others however the scheduler slices time.
const managerBatch = 64

// runManager runs the manager loop for rounds rounds and returns how many
// saw stopped memory change. A round lasts until every worker has run two
// batches of calls after the fence, so its length is counted in calls, not
// in time.
func runManager(t *testing.T, rounds int) (violations int) {
	s := NewWordStacks([]int{16, 16})
	stop := make(chan struct{})
	workers := 4 * runtime.NumCPU()
	progress := make([]struct {
		batches atomic.Int64
		_       [56]byte // one cache line per worker
	}, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 1; ; i++ {
				k := i & 1
				if i%3 == 0 {
					s.Pop(k)
				} else {
					s.Push(k, uintptr(w<<20|i))
				}
				if i%managerBatch == 0 {
					progress[w].batches.Add(1)
					select {
					case <-stop:
						return
					default:
					}
					runtime.Gosched()
				}
			}
		}(w)
	}
	seen := make([]int64, workers)
	for r := 0; r < rounds; r++ {
		if err := s.stopAll(); err != nil {
			t.Fatalf("stop: %v", err)
		}
		before := slices.Clone(s.mem)
		for w := range seen {
			seen[w] = progress[w].batches.Load()
		}
		for w := range seen {
			for progress[w].batches.Load() < seen[w]+2 {
				runtime.Gosched()
			}
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
