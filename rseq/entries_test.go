package rseq

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/gorseq/percpu/internal/stresstest"
)

// token is a heap object handed around through an EntryStacks. While it is
// in a stack, the stack is the only thing that references it, so a GC that
// missed it would free it: clobberfree would then overwrite magic.
//
// An entry's Aux is the token's tag, a second object that the token points
// to, so that a protocol that shaded only Aux would leave the token itself
// unmarked (Aux is reachable from P, not P from Aux).
type token struct {
	magic uint64
	id    uintptr
	tag   *tokenTag
	_     [40]byte
}

type tokenTag struct{ id uintptr }

func newToken(id uintptr) *token {
	return &token{magic: tokenMagic, id: id, tag: &tokenTag{id: id}}
}

const tokenMagic = 0x7061726164697365

func newTokens(n int) []*token {
	out := make([]*token, n)
	for i := range out {
		out[i] = newToken(uintptr(i + 1))
	}
	return out
}

// check verifies the entry a worker popped: the object is intact and the
// side words travelled with it.
func checkEntry(t *testing.T, e Entry) *token {
	tk := (*token)(e.P)
	if tk.magic != tokenMagic || e.N0 != tk.id || e.N1 != ^tk.id || e.Aux != unsafe.Pointer(tk.tag) || tk.tag.id != tk.id {
		t.Errorf("corrupt entry: magic %#x id %d n0 %d n1 %#x aux %p p %p", tk.magic, tk.id, e.N0, e.N1, e.Aux, e.P)
	}
	return tk
}

// drainIDs takes every token out of s, checks it, and returns the ids.
func drainIDs(t *testing.T, s *EntryStacks) []uintptr {
	t.Helper()
	return drainChecked(t, s, checkEntry)
}

// drainChecked is drainIDs checking each entry with check (checkEntry for
// whole entries, checkPointers for entries of two pointers).
func drainChecked(t *testing.T, s *EntryStacks, check func(*testing.T, Entry) *token) []uintptr {
	t.Helper()
	var ids []uintptr
	if err := s.Drain(func(k int, es []Entry) {
		for _, e := range es {
			ids = append(ids, check(t, e).id)
		}
	}); err != nil && Enabled() {
		t.Fatalf("Drain: %v", err)
	}
	return ids
}

func entryOf(tk *token) Entry {
	return Entry{P: unsafe.Pointer(tk), Aux: unsafe.Pointer(tk.tag), N0: tk.id, N1: ^tk.id}
}

func TestEntryStacksConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		runEntryStress(t, l, false)
	})
}

// TestEntryStacksGrowConservation runs the stress with member 0 starting
// at one slot: workers grow it when a push finds it full, and worker 0
// every 256 operations either drains the family (which gives the blocks
// back, so indexes allocate theirs again while other workers push and pop)
// or collects one member from every CPU (keeping the blocks). Growing
// without stopping and fencing the old block, or publishing the new one
// before the copy, loses or duplicates tokens.
func TestEntryStacksGrowConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		runEntryStress(t, l, true)
	})
}

// TestEntryStacksGC moves pointers through the stacks while the collector
// runs cycle after cycle. Workers keep the tokens they hold only in local
// arrays on their stacks, where stores have no write barrier, so the stacks'
// own write-barrier rule is all that keeps the collector from missing a
// token; CI runs it under GODEBUG=gccheckmark=1,clobberfree=1, which then
// reports an unmarked object or clobbers a freed token's magic.
func TestEntryStacksGC(t *testing.T) {
	const perWorker = 8
	cycles := 300
	if testing.Short() || raceEnabled {
		cycles = 60
	}
	workers := 2*runtime.NumCPU() + 2
	s := NewEntryStacks([]int{4, 12})
	before := Status()
	led := stresstest.NewLedger(workers*perWorker + 1)
	stop := make(chan struct{})
	results := make(chan []uintptr, workers)
	for w := 0; w < workers; w++ {
		go func(w int) {
			results <- gcWorker(t, s, led, w, perWorker, stop)
		}(w)
	}
	for c := 0; c < cycles; c++ {
		stresstest.Collect(4096) // 512 KiB of garbage a cycle
	}
	close(stop)
	held := make([][]uintptr, workers)
	for w := range held {
		held[w] = <-results
	}
	after := Status()
	led.Check(t)
	led.Conserve(t, held, drainIDs(t, s))
	marking, shard := after.MarkingOps-before.MarkingOps, after.ShardOps-before.ShardOps
	t.Logf("%d GC cycles; %v; aborts %d; marking-protocol ops %d, shard ops %d",
		cycles, after.Mode, after.Aborts-before.Aborts, marking, shard)
	checkMarkingPath(t, before, after)
}

// checkMarkingPath checks, from the Status taken before and after a run
// whose entry-stack traffic overlapped GC marking, that the traffic stayed
// on the per-CPU stacks: the marking protocol ran, and nothing went to a
// shard but what a thread that cannot run sections or a run of aborts
// explains.
func checkMarkingPath(t *testing.T, before, after Info) {
	t.Helper()
	if !on {
		return
	}
	if after.MarkingOps == before.MarkingOps {
		t.Errorf("no entry-stack operation ran while the GC was marking: the test did not test the marking protocol")
	}
	shard := after.ShardOps - before.ShardOps
	explained := after.AbortedOps - before.AbortedOps
	if after.ThreadsFailed > 0 {
		return // such a thread uses its shard for everything
	}
	if shard > explained {
		t.Errorf("%d entry-stack operations went to the shards (%d explained by aborts): the per-CPU path closed while the GC marked", shard, explained)
	}
}

// gcWorker passes tokens to and from s until stop closes and returns the ids
// it holds then. Its tokens live only in mine, a stack array.
func gcWorker(t *testing.T, s *EntryStacks, led *stresstest.Ledger, w, perWorker int, stop <-chan struct{}) []uintptr {
	var mine [16]*token
	n := 0
	for ; n < perWorker; n++ {
		mine[n] = newToken(uintptr(w*perWorker + n + 1))
		led.Claim(mine[n].id, w)
	}
	rng := rand.New(rand.NewPCG(uint64(w), 3))
	stresstest.Until(stop, func(int) {
		k := rng.IntN(2)
		if n > 0 && (n == len(mine) || rng.IntN(2) == 0) {
			led.Release(mine[n-1].id)
			if s.Push(k, entryOf(mine[n-1])) {
				n--
				mine[n] = nil
			} else {
				led.Claim(mine[n-1].id, w)
			}
			return
		}
		if e, ok := s.Pop(k); ok {
			tk := checkEntry(t, e)
			led.Claim(tk.id, w)
			mine[n] = tk
			n++
		}
	})
	ids := make([]uintptr, n)
	for j := range ids {
		ids[j] = checkEntry(t, entryOf(mine[j])).id
	}
	return ids
}

func runEntryStress(t *testing.T, l load, growing bool) {
	s := NewEntryStacks([]int{8, 24})
	var grows, drains atomic.Int64
	var grow func() bool
	if growing {
		s = NewGrowingEntryStacks([]int{64, 24}, 1)
		grow = func() bool {
			if s.Grow() {
				grows.Add(1)
				return true
			}
			return false
		}
	}
	led, held, rngs := dealTokens(l.lockedThreads+l.goroutines, 16, 2)
	if growing {
		// A grower that runs on no index in particular: it grows every
		// index in turn, on whatever CPU it happens to be.
		stop, done := make(chan struct{}), make(chan struct{})
		defer func() { close(stop); <-done }()
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if s.grow(i % nIndexes) {
					grows.Add(1)
				}
				runtime.Gosched()
			}
		}()
	}
	l.run(t, func(w, i int) {
		if growing && w == 0 && i%256 == 255 {
			drains.Add(1)
			take := func(es []Entry) {
				for _, e := range es {
					tk := checkEntry(t, e)
					led.Claim(tk.id, w)
					held[w] = append(held[w], tk)
				}
			}
			var err error
			if i%512 == 255 { // every other time, Collect one member
				err = s.Collect(i/512%2, take)
			} else {
				err = s.Drain(func(_ int, es []Entry) { take(es) })
			}
			if err != nil && Enabled() {
				t.Errorf("Drain or Collect: %v", err)
			}
			return
		}
		exchangeStep(t, s, led, &held[w], rngs[w], w, grow)
	})
	led.Check(t)
	if growing {
		t.Logf("%d grows, %d drains", grows.Load(), drains.Load())
		if on && grows.Load() == 0 {
			t.Errorf("no stack grew: the test did not test growth")
		}
	}
	conserveHeld(t, s, led, held, checkEntry)
}

// dealTokens makes perWorker tokens for each of workers workers, claimed
// in a new ledger (one id spare), and a random source per worker (stream
// seed). The returned slices hold the only references to the tokens.
func dealTokens(workers, perWorker int, seed uint64) (*stresstest.Ledger, [][]*token, []*rand.Rand) {
	led := stresstest.NewLedger(workers*perWorker + 1)
	held := make([][]*token, workers)
	rngs := make([]*rand.Rand, workers)
	all := newTokens(workers * perWorker)
	for w := range held {
		rngs[w] = rand.New(rand.NewPCG(uint64(w), seed))
		held[w] = all[w*perWorker : (w+1)*perWorker : (w+1)*perWorker]
		for _, tk := range held[w] {
			led.Claim(tk.id, w)
		}
	}
	return led, held, rngs
}

// exchangeStep is one step of stress worker w, which holds held: push its
// newest token onto a random member (when that is full and grow is set,
// grow and push again) or pop one.
func exchangeStep(t *testing.T, s *EntryStacks, led *stresstest.Ledger, held *[]*token, rng *rand.Rand, w int, grow func() bool) {
	k := rng.IntN(2)
	if n := len(*held); n > 0 && rng.IntN(2) == 0 {
		tk := (*held)[n-1]
		led.Release(tk.id)
		pushed := s.Push(k, entryOf(tk))
		if !pushed && grow != nil && k == 0 && grow() {
			pushed = s.Push(k, entryOf(tk))
		}
		if pushed {
			(*held)[n-1] = nil
			*held = (*held)[:n-1]
		} else {
			led.Claim(tk.id, w)
		}
		return
	}
	if e, ok := s.Pop(k); ok {
		tk := checkEntry(t, e)
		led.Claim(tk.id, w)
		*held = append(*held, tk)
	}
}

// conserveHeld drains s, checking each entry with check, and checks that
// every token is where the ledger says: held by exactly one holder, or
// drained.
func conserveHeld(t *testing.T, s *EntryStacks, led *stresstest.Ledger, held [][]*token, check func(*testing.T, Entry) *token) {
	t.Helper()
	drained := drainChecked(t, s, check)
	ids := make([][]uintptr, len(held))
	for w, h := range held {
		for _, tk := range h {
			ids[w] = append(ids[w], tk.id)
		}
	}
	led.Conserve(t, ids, drained)
}

// awaitCollected collects until n objects have signalled collected, or
// fails the test after 100 cycles: a slot still references them.
func awaitCollected(t *testing.T, collected <-chan uintptr, n int) {
	t.Helper()
	got := 0
	for cycle := 0; cycle < 100 && got < n; cycle++ {
		runtime.GC()
		for drained := false; !drained; {
			select {
			case <-collected:
				got++
			default:
				drained = true
				runtime.Gosched()
			}
		}
	}
	if got != n {
		t.Fatalf("%d of %d popped objects were collected after 100 GC cycles: a slot still references them", got, n)
	}
}

// TestEntryStacksHoldNoReference checks that a popped value is not kept
// alive by its old slot: after everything is popped, the objects are
// collected.
func TestEntryStacksHoldNoReference(t *testing.T) {
	const n = 8
	s := NewEntryStacks([]int{16})
	collected := make(chan uintptr, n)
	for i := 0; i < n; i++ {
		tk := newToken(uintptr(i + 1))
		runtime.AddCleanup(tk, func(id uintptr) { collected <- id }, tk.id)
		if !s.Push(0, entryOf(tk)) {
			t.Fatalf("push %d refused by a capacity-16 stack", i)
		}
	}
	popped := 0
	for {
		e, ok := s.Pop(0)
		if !ok {
			break
		}
		checkEntry(t, e)
		popped++
	}
	// Pops after a migration see another CPU's stack; Drain takes the rest.
	if err := s.Drain(func(k int, es []Entry) { popped += len(es) }); err != nil && Enabled() {
		t.Fatalf("Drain: %v", err)
	}
	if popped != n {
		t.Fatalf("got back %d of %d", popped, n)
	}
	awaitCollected(t, collected, n)
}
