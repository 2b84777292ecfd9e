package rseq

import (
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/race"
)

// withTablesFrom makes the block tables of entry families created until
// the test ends start with n indexes.
func withTablesFrom(t *testing.T, n int) {
	t.Helper()
	if race.Enabled {
		t.Skip("the test sets growingTableStart, which other goroutines read")
	}
	old := growingTableStart
	growingTableStart = n
	t.Cleanup(func() { growingTableStart = old })
}

// TestEntryTableGrowsToTheIndexUsed starts a family's table empty, so that
// the first push on any index meets a section that reports the index past
// the table: the push must grow the table and land on the CPU's stack, not
// in the fallback shards, and every descriptor must then point at the new
// table with its length.
func TestEntryTableGrowsToTheIndexUsed(t *testing.T) {
	withTablesFrom(t, 0)
	i, unlock := lockToIndex(t, "the table is for per-CPU stacks")
	defer unlock()
	s := NewEntryStacks([]int{8, 4})
	if n := len(s.table()); n != 0 {
		t.Fatalf("a new family's table has %d indexes, want 0", n)
	}
	tk := newToken(1)
	shardsBefore := shardOps.Load()
	if !s.Push(1, entryOf(tk)) {
		t.Fatal("the first push failed")
	}
	if n := shardOps.Load() - shardsBefore; n != 0 {
		t.Fatalf("the first push on index %d went to the fallback shards (%d operations)", i, n)
	}
	tab := s.table()
	if len(tab) <= i || !s.has(i) {
		t.Fatalf("after a push on index %d: table of %d indexes, block there: %v", i, len(tab), s.has(i))
	}
	for k, d := range s.descs {
		if d.Blocks != unsafe.Pointer(&tab[0]) || d.N != uintptr(len(tab)) {
			t.Errorf("member %d's descriptor: table %p of %d, want %p of %d", k, d.Blocks, d.N, &tab[0], len(tab))
		}
	}
	if e, ok := s.Pop(1); !ok || checkEntry(t, e) != tk {
		t.Fatalf("pop after the growth: %v", ok)
	}
	if _, ok := s.Pop(0); ok {
		t.Fatal("member 0 popped an entry never pushed")
	}
}

// TestEntryTableGrowthConservation has goroutines on every CPU push and
// pop tokens on fresh families whose tables start empty, so that tables
// grow while other threads run sections on them, through the old table
// and the new: every token comes back exactly once. In RSEQ_DELAY builds
// it also catches a section that reads the table before N (the load order
// growTable relies on): with PRELOAD's two loads swapped it faults on a
// nil block within seconds; so does a growTable that stores N before the
// table, in any build, within its first rounds.
func TestEntryTableGrowthConservation(t *testing.T) {
	withTablesFrom(t, 0)
	if !Enabled() {
		t.Skip("tables are for per-CPU stacks: " + Status().Reason)
	}
	const rounds, workers, perWorker = 200, 4, 32
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.NumCPU())))
	if arch.DelayInjected() { // widen the gap between a section's loads of N and the table
		arch.SetDelay(200)
		defer arch.SetDelay(0)
	}
	betweenTableStores = func() { time.Sleep(20 * time.Microsecond) } // and growTable's stores of them
	defer func() { betweenTableStores = nil }()
	for r := range rounds {
		s := NewEntryStacks([]int{workers * perWorker, workers * perWorker}) // never full
		toks := newTokens(workers * perWorker)
		var wg sync.WaitGroup
		popped := make([][]uintptr, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := toks[w*perWorker : (w+1)*perWorker]
				for j, tk := range mine {
					if !s.Push(j%2, entryOf(tk)) {
						t.Errorf("round %d: push of token %d failed", r, tk.id)
					}
					if j%3 == 2 { // take some back at once, from whichever CPU this is now
						if e, ok := s.Pop(j % 2); ok {
							popped[w] = append(popped[w], checkEntry(t, e).id)
						}
					}
				}
			}()
		}
		wg.Wait()
		seen := make(map[uintptr]int)
		for _, ids := range popped {
			for _, id := range ids {
				seen[id]++
			}
		}
		for _, id := range drainIDs(t, s) {
			seen[id]++
		}
		for _, tk := range toks {
			if n := seen[tk.id]; n != 1 {
				t.Fatalf("round %d: token %d came back %d times, want once", r, tk.id, n)
			}
		}
		if len(seen) != len(toks) {
			t.Fatalf("round %d: %d distinct ids came back, %d were pushed", r, len(seen), len(toks))
		}
	}
}
