package rseq

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/percpu/internal/stresstest"
)

// TestEntryStacksShrinkPolicy fills one index's member 0 until it grows,
// empties it to a quarter, and checks that Shrink halves it only at the
// second look in a row that finds it low with no Grow since the look
// before, keeps every entry, and gives the budget back; then that a
// shrink of a fuller stack keeps the newest entries and hands the oldest
// to its caller.
func TestEntryStacksShrinkPolicy(t *testing.T) {
	i, unlock := lockToIndex(t, "shrinking is for per-CPU stacks")
	defer unlock()
	s := NewGrowingEntryStacks([]int{64, 8}, 4)
	toks := newTokens(64)
	for _, tk := range toks[:40] {
		for !s.Push(0, entryOf(tk)) {
			if !s.Grow() {
				t.Fatalf("cannot grow past %d", s.capacity(i, 0))
			}
		}
	}
	if c := s.capacity(i, 0); c != 64 {
		t.Fatalf("capacity after 40 pushes from 4: %d, want 64", c)
	}
	for range 30 { // 10 left: at most a quarter of 64
		if _, ok := s.Pop(0); !ok {
			t.Fatal("pop failed")
		}
	}
	heldBefore, _ := PerCPUHeld()
	excess := func(es []Entry) { t.Errorf("shrinking 10 entries from 64 to 32 slots handed back %d", len(es)) }
	look := func(want int, why string) {
		t.Helper()
		if n, err := s.Shrink(excess); n != want || err != nil {
			t.Fatalf("%s: Shrink shrank %d (%v), want %d", why, n, err, want)
		}
	}
	look(0, "the look right after the grows")
	look(0, "the first look with no grow since the one before: a stack shrinks only when low at two looks in a row")
	// A Grow asked for (the stack is at its family's capacity, so it does
	// not grow) says the stack is in use at its size, however low the looks
	// find it: two more quiet looks are needed.
	if s.Grow() {
		t.Fatal("Grow grew a stack at its family's capacity")
	}
	look(0, "the look after a Grow")
	look(0, "the first look with no grow since the one before, again")
	look(1, "the second quiet look in a row")
	if c := s.capacity(i, 0); c != 32 {
		t.Fatalf("capacity after a shrink from 64: %d, want 32", c)
	}
	if heldAfter, _ := PerCPUHeld(); heldAfter >= heldBefore {
		t.Errorf("per-CPU bytes held %d → %d: the shrink gave nothing back", heldBefore, heldAfter)
	}
	for j := 9; j >= 0; j-- {
		e, ok := s.Pop(0)
		if !ok || checkEntry(t, e) != toks[j] {
			t.Fatalf("pop %d after the shrink: %v, want token %d", 9-j, ok, toks[j].id)
		}
	}

	// A fuller stack than the new capacity: the newest stay, the oldest go.
	for _, tk := range toks[:32] {
		if !s.Push(0, entryOf(tk)) {
			t.Fatal("push to 32 slots failed")
		}
	}
	var handed []Entry
	s.mu.Lock()
	_, err := s.shrinkAt([]int{i}, func(es []Entry) { handed = append(handed, es...) })
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if len(handed) != 16 {
		t.Fatalf("shrinking 32 entries to 16 slots handed back %d", len(handed))
	}
	for j, e := range handed {
		if checkEntry(t, e) != toks[j] {
			t.Fatalf("handed back entry %d is token %d, want the oldest, %d", j, checkEntry(t, e).id, toks[j].id)
		}
	}
	for j := 31; j >= 16; j-- {
		if e, ok := s.Pop(0); !ok || checkEntry(t, e) != toks[j] {
			t.Fatalf("the stack lost its newest entries: pop gave %v, want token %d", ok, toks[j].id)
		}
	}
}

// TestEntryStacksShrinkConservation runs the ownership stress while a
// resizer, on whatever CPU it happens to be, grows every index in turn and
// shrinks it again whatever it holds: nothing may be lost or handed out
// twice, and what a shrink hands back goes to the resizer's own holdings.
func TestEntryStacksShrinkConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		const perWorker = 16
		workers := l.lockedThreads + l.goroutines
		n := workers*perWorker + 1
		s := NewGrowingEntryStacks([]int{64, 24}, 2)
		led := stresstest.NewLedger(n)
		held := make([][]*token, workers+1) // held[workers]: handed back by shrinks
		rngs := make([]*rand.Rand, workers)
		all := newTokens(n - 1)
		for w := range workers {
			rngs[w] = rand.New(rand.NewPCG(uint64(w), 5))
			held[w] = all[w*perWorker : (w+1)*perWorker : (w+1)*perWorker]
			for _, tk := range held[w] {
				led.Claim(tk.id, w)
			}
		}
		all = nil // from here on, the stacks and the holders are the only references
		var grows, shrinks atomic.Int64
		var handedMu sync.Mutex
		handBack := func(es []Entry) {
			handedMu.Lock()
			defer handedMu.Unlock()
			for _, e := range es {
				tk := checkEntry(t, e)
				led.Claim(tk.id, workers)
				held[workers] = append(held[workers], tk)
			}
		}
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			for r := 0; ; r++ {
				select {
				case <-stop:
					return
				default:
				}
				i := r / 4 % nIndexes
				if r%4 < 3 {
					if s.grow(i) {
						grows.Add(1)
					}
				} else {
					s.mu.Lock()
					if s.has(i) && s.capacity(i, 0) > s.start {
						if _, err := s.shrinkAt([]int{i}, handBack); err == nil {
							shrinks.Add(1)
						}
					}
					s.mu.Unlock()
				}
				runtime.Gosched()
			}
		}()
		l.run(t, func(w, i int) {
			exchangeStep(t, s, led, &held[w], rngs[w], w, nil)
		})
		close(stop)
		<-done
		led.Check(t)
		t.Logf("%d grows, %d shrinks, %d entries handed back", grows.Load(), shrinks.Load(), len(held[workers]))
		if on && shrinks.Load() == 0 {
			t.Errorf("nothing shrank: the test did not test shrinking")
		}
		conserveHeld(t, s, led, held, checkEntry)
	})
}

// TestDroppedFamiliesGiveTheirBudgetBack makes a thousand families hold a
// block each, drops them without draining, and collects until the per-CPU
// bytes held are back where they were: before the reservations had a
// cleanup, dropped pools kept their share of the budget for good, and
// after enough of them no family could grow.
func TestDroppedFamiliesGiveTheirBudgetBack(t *testing.T) {
	if !Enabled() {
		t.Skip("the budget counts per-CPU blocks: " + Status().Reason)
	}
	_, before := PerCPUHeld()
	func() {
		tk := newToken(1)
		for range 1000 {
			s := NewGrowingEntryStacks([]int{64}, 4)
			if s.Push(0, entryOf(tk)) {
				s.Pop(0)
			}
		}
	}()
	_, held := PerCPUHeld()
	if held <= before {
		t.Skip("no family got a per-CPU block here (a thread that cannot register)")
	}
	for i := 0; ; i++ {
		runtime.GC()
		if _, now := PerCPUHeld(); now <= before {
			break
		}
		if i == 1000 {
			_, now := PerCPUHeld()
			t.Fatalf("per-CPU bytes held: %d before, %d with 1000 families, %d after dropping them and %d collections", before, held, now, i+1)
		}
		time.Sleep(time.Millisecond) // let the cleanup goroutine run
	}
}

// TestEntryStacksResizeIsNotAMiss pops and pushes back a few entries on one
// pinned CPU while another thread grows and shrinks that CPU's stack, over
// and over: a pop that meets the stack stopped for a resize must wait for
// it and find the entries, never report the stack empty (a pool would then
// collect every CPU and grow the stack it had just shrunk), and a push must
// never go to the fallback shards for it. At the end every entry is there,
// once.
func TestEntryStacksResizeIsNotAMiss(t *testing.T) {
	i, unlock := lockToIndex(t, "resizes are of per-CPU stacks")
	defer unlock()
	const held, start = 4, 4 // never more than a shrunk stack holds
	s := NewGrowingEntryStacks([]int{64}, start)
	toks := newTokens(held)
	for _, tk := range toks {
		if !s.Push(0, entryOf(tk)) {
			t.Fatal("push to an empty stack failed")
		}
	}
	var resizes atomic.Int64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { // on whatever CPU: it resizes index i, not its own
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if s.grow(i) {
				resizes.Add(1)
			}
			s.mu.Lock()
			if s.has(i) && s.capacity(i, 0) > start {
				if _, err := s.shrinkAt([]int{i}, func(es []Entry) {
					t.Errorf("a shrink to %d slots handed back %d entries of %d", start, len(es), held)
				}); err == nil {
					resizes.Add(1)
				}
			}
			s.mu.Unlock()
		}
	}()
	const wantResizes, maxRounds = 2000, 20_000_000
	misses, rounds := 0, 0
	for ; resizes.Load() < wantResizes && rounds < maxRounds; rounds++ {
		e, ok := s.Pop(0)
		if !ok {
			if j, _ := currentIndex(); j != i {
				close(stop)
				<-done
				t.Skipf("the thread's index changed from %d to %d", i, j)
			}
			misses++
			continue
		}
		if !s.Push(0, e) {
			t.Fatalf("round %d: a push of the entry just popped failed", rounds)
		}
	}
	close(stop)
	<-done
	t.Logf("%d rounds, %d resizes, %d misses", rounds, resizes.Load(), misses)
	if misses > 0 {
		t.Errorf("%d pops of %d found the stack empty while it held %d entries and was being resized", misses, rounds, held)
	}
	if s.shardsUsed.Load() {
		t.Errorf("a push met a resize and went to the fallback shards")
	}
	if resizes.Load() < wantResizes {
		t.Errorf("%d resizes in %d rounds: the test did not test resizing", resizes.Load(), rounds)
	}
	got := map[*token]int{}
	if err := s.Drain(func(_ int, es []Entry) {
		for _, e := range es {
			got[checkEntry(t, e)]++
		}
	}); err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if got[tk] != 1 {
			t.Errorf("token %d came out %d times, want once", tk.id, got[tk])
		}
	}
	if len(got) != held {
		t.Errorf("%d distinct entries came out, want %d", len(got), held)
	}
}

// lockToIndex locks the calling goroutine to its thread and that thread to
// its CPU, and returns the thread's index and the function that undoes
// both; it skips the test, saying why, where sections cannot run.
func lockToIndex(t *testing.T, why string) (int, func()) {
	t.Helper()
	runtime.LockOSThread()
	if !Enabled() || !threadRunsSections() {
		runtime.UnlockOSThread()
		t.Skip(why + ": " + Status().Reason)
	}
	unpin := pinToOneCPU(t)
	i, ok := currentIndex()
	if !ok {
		unpin()
		runtime.UnlockOSThread()
		t.Skip("this thread has no index")
	}
	return i, func() {
		unpin()
		runtime.UnlockOSThread()
	}
}

// TestEntryStacksCapacityHere checks the capacity the calling thread's
// index reports for each member: the configured one before the index has a
// block, then the block's, following member 0 as it grows.
func TestEntryStacksCapacityHere(t *testing.T) {
	_, unlock := lockToIndex(t, "a block's capacities are per index")
	defer unlock()
	s := NewGrowingEntryStacks([]int{16, 8}, 4)
	if c0, c1 := s.CapacityHere(0), s.CapacityHere(1); c0 != 16 || c1 != 8 {
		t.Fatalf("before any block: capacities %d and %d, want the configured 16 and 8", c0, c1)
	}
	toks := newTokens(1)
	if !s.Push(1, entryOf(toks[0])) {
		t.Fatal("the first push failed")
	}
	if c0, c1 := s.CapacityHere(0), s.CapacityHere(1); c0 != 4 || c1 != 8 {
		t.Fatalf("in a new block: capacities %d and %d, want member 0's start 4 and 8", c0, c1)
	}
	if !s.Grow() {
		t.Fatal("Grow refused")
	}
	if c0 := s.CapacityHere(0); c0 != 8 {
		t.Fatalf("after a Grow: member 0's capacity %d, want 8", c0)
	}
	if e, ok := s.Pop(1); !ok || checkEntry(t, e) != toks[0] {
		t.Fatal("the entry did not survive the Grow")
	}
}
