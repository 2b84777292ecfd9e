package arch

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/gorseq/percpu/internal/procpin"
	"github.com/gorseq/percpu/internal/race"
	"github.com/gorseq/percpu/internal/stresstest"
)

// requirePrivate skips the test where PushPrivate and PopPrivate do not
// work, and fails it where they must: a linux/amd64 or linux/arm64 build
// with them (under qemu-user too: they need no rseq),
// on a Go release whose layout they were written for (1.26, 1.27), or
// whenever PERCPU_TEST_EXPECT_MODE demands the fast paths (CI's step with
// the newest release).
func requirePrivate(t *testing.T) {
	t.Helper()
	if ok, err := PrivateAvailable(); !ok {
		known := strings.HasPrefix(runtime.Version(), "go1.26") || strings.HasPrefix(runtime.Version(), "go1.27")
		if PrivateSections && (known || os.Getenv("PERCPU_TEST_EXPECT_MODE") != "") {
			t.Fatalf("the private sections should work here (%s): %v", runtime.Version(), err)
		}
		t.Skip(err)
	}
}

// pinUnmarked pins the goroutine to its P at a moment the collector is not
// marking. Pinned, it stays so: a cycle begins only with the world
// stopped, which waits for the pin. So the private sections' write-barrier
// test cannot make the test's calls miss (a cycle an earlier test's
// garbage started may be marking when a test begins).
func pinUnmarked() {
	for {
		procpin.Pin()
		if !stresstest.Marking() {
			return
		}
		procpin.Unpin()
		runtime.Gosched()
	}
}

// newParts makes parts for P ids below n, each with room for slots entries.
func newParts(n, slots int) *PrivateParts {
	ps := &PrivateParts{Parts: make([]*PrivatePart, n)}
	for i := range ps.Parts {
		ps.Parts[i] = &PrivatePart{Slots: make([]Entry, slots)}
	}
	return ps
}

// mine returns the calling goroutine's P's part, pinned while it looks.
func mine(ps *PrivateParts) *PrivatePart {
	defer procpin.Unpin()
	return ps.Parts[procpin.Pin()]
}

// TestPrivateLayoutOnEveryP runs the layout check on every P at once,
// over and over: whichever P and thread a goroutine is on, m.p's id is the
// P procpin.Pin returns.
func TestPrivateLayoutOnEveryP(t *testing.T) {
	requirePrivate(t)
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range 2000 {
				if i%64 == 0 {
					runtime.Gosched()
				}
				if err := checkPrivate(); err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
}

// TestPrivateBounds checks each way a push or pop misses: a full part, an
// empty one, one that is not its P's own (State 1), and a P id with no
// part. A miss touches nothing.
func TestPrivateBounds(t *testing.T) {
	requirePrivate(t)
	a, b := new(int), new(int)
	ps := newParts(64, 2)
	runtime.LockOSThread() // one P throughout, as far as the test looks
	defer runtime.UnlockOSThread()
	pinUnmarked() // and no other goroutine on it, nor a collection: the calls below do not yield
	defer procpin.Unpin()
	if p, aux, st := PopPrivate(ps); p != nil || aux != nil || st != Empty {
		t.Fatalf("pop from an empty part = %p, %p, %v; want nil, nil, empty", p, aux, st)
	}
	if st, st2 := PushPrivate(ps, unsafe.Pointer(a), unsafe.Pointer(b)), PushPrivate(ps, unsafe.Pointer(b), nil); st != Committed || st2 != Committed {
		t.Fatalf("pushes into a part with room: %v, %v", st, st2)
	}
	if st := PushPrivate(ps, unsafe.Pointer(a), nil); st != Full {
		t.Fatalf("push into a full part: %v, want full", st)
	}
	part := ps.Parts[pinnedID(ps)]
	if part.N != 2 || part.Slots[0].P != unsafe.Pointer(a) || part.Slots[0].Aux != unsafe.Pointer(b) {
		t.Fatalf("part after two pushes: n %d, slot 0 %+v", part.N, part.Slots[0])
	}
	part.State = 1
	if st := PushPrivate(ps, unsafe.Pointer(a), nil); st != Stopped {
		t.Fatalf("push into a part that is not its P's own: %v, want stopped", st)
	}
	if p, _, st := PopPrivate(ps); p != nil || st != Stopped {
		t.Fatalf("pop from a part that is not its P's own: %p, %v; want nil, stopped", p, st)
	}
	part.State = 0
	if p, aux, st := PopPrivate(ps); p != unsafe.Pointer(b) || aux != nil || st != Committed {
		t.Fatalf("pop = %p, %p, %v; want the newest entry %p, nil", p, aux, st, b)
	}
	if p, aux, st := PopPrivate(ps); p != unsafe.Pointer(a) || aux != unsafe.Pointer(b) || st != Committed {
		t.Fatalf("pop = %p, %p, %v; want %p, %p", p, aux, st, a, b)
	}
	if part.N != 0 || part.Slots[0] != (Entry{}) || part.Slots[1] != (Entry{}) {
		t.Fatalf("popped slots still hold references: %+v", part.Slots)
	}
	none := &PrivateParts{Parts: ps.Parts[:0]}
	if st := PushPrivate(none, unsafe.Pointer(a), nil); st != Stopped {
		t.Fatalf("push for a P id with no part: %v, want stopped", st)
	}
}

// TestPrivateUnavailableSaysSo: where the private sections do not work
// (another target, purego, a runtime layout the check refused), they touch
// nothing and say Unavailable, the status on which callers pin instead.
func TestPrivateUnavailableSaysSo(t *testing.T) {
	if ok, _ := PrivateAvailable(); ok {
		t.Skip("the private sections work here")
	}
	ps := newParts(64, 2)
	a := new(int)
	if st := PushPrivate(ps, unsafe.Pointer(a), nil); st != Unavailable {
		t.Fatalf("push = %v, want unavailable", st)
	}
	if p, aux, st := PopPrivate(ps); p != nil || aux != nil || st != Unavailable {
		t.Fatalf("pop = %p, %p, %v; want nil, nil, unavailable", p, aux, st)
	}
	for i, part := range ps.Parts {
		if part.N != 0 || part.Slots[0] != (Entry{}) {
			t.Fatalf("part %d touched: n %d, slot 0 %+v", i, part.N, part.Slots[0])
		}
	}
}

// pinnedID returns the P id of the caller, which is pinned already.
func pinnedID(*PrivateParts) int {
	id := procpin.Pin()
	procpin.Unpin()
	return id
}

// privateToken is a value the conservation test moves through the parts:
// a fresh heap object that, while a part holds it, nothing else references,
// and that workers hold only in arrays on their stacks (where stores have
// no write barrier). A push or pop that hid it from the collector while it
// marked would get it freed: GODEBUG=gccheckmark=1 then reports an
// unmarked object, and clobberfree=1 overwrites its check word.
type privateToken struct {
	id    uintptr
	check uintptr // id ^ privateMagic
}

const privateMagic = 0x5eed5eed

// TestPrivateConservationAcrossGC moves tokens through the calling P's part from
// more workers than Ps, through 200 collections (pushes and pops meet the
// write barrier on, and miss), while GOMAXPROCS changes and signals land:
// every pop hands out a token no one holds (the ledger) and intact (its
// check word), and at the end every token is in exactly one place, held
// by a worker or in a part, and no slot above a part's entries holds a
// reference.
func TestPrivateConservationAcrossGC(t *testing.T) {
	requirePrivate(t)
	const workers, perWorker, parts = 6, 16, 8
	cycles := 200
	if testing.Short() || race.Enabled {
		cycles = 40
	}
	ledger := stresstest.NewLedger(workers*perWorker + 1)
	ps := newParts(parts, 16)
	var ds stresstest.Disturbers
	ds.Start(stresstest.FlipGOMAXPROCS(3*time.Millisecond, 1, 2, 4))
	ds.Start(stresstest.SignalStorm(time.Millisecond))
	stop := make(chan struct{})
	results := make(chan []uintptr, workers)
	for w := range workers {
		go func() { results <- privateWorker(ps, ledger, w, perWorker, stop) }()
	}
	for range cycles {
		stresstest.Collect(4096) // 512 KiB of garbage a cycle
	}
	close(stop)
	held := make([][]uintptr, workers)
	for w := range held {
		held[w] = <-results
	}
	ds.Stop()
	ledger.Check(t)
	var returned []uintptr
	for i, part := range ps.Parts {
		for k, e := range part.Slots {
			switch {
			case k < part.N:
				returned = append(returned, checkToken(ledger, e.P).id)
			case e != (Entry{}):
				t.Errorf("part %d: slot %d above its %d entries holds %+v", i, k, part.N, e)
			}
		}
	}
	ledger.Conserve(t, held, returned)
	if len(returned) == 0 {
		t.Fatal("no token was left in a part: the test did not exercise pushes")
	}
}

// privateWorker pushes and pops tokens on its P's part until stop closes,
// and returns the ids it holds then. Its tokens live only in mine, an
// array on its stack.
func privateWorker(ps *PrivateParts, ledger *stresstest.Ledger, w, perWorker int, stop <-chan struct{}) []uintptr {
	var mine [32]*privateToken
	n := 0
	for ; n < perWorker; n++ {
		id := uintptr(w*perWorker + n + 1)
		mine[n] = &privateToken{id: id, check: id ^ privateMagic}
		ledger.Claim(id, w)
	}
	stresstest.Until(stop, func(i int) {
		if n > 0 && (n == len(mine) || i%3 != 0) { // two pushes per pop: parts fill
			tok := mine[n-1]
			ledger.Release(tok.id)
			race.Release(unsafe.Pointer(tok)) // the detector cannot see the hand-off
			if PushPrivate(ps, unsafe.Pointer(tok), nil) == Committed {
				n--
				mine[n] = nil // the part's reference is its only one
			} else {
				ledger.Claim(tok.id, w)
			}
			return
		}
		if p, _, _ := PopPrivate(ps); p != nil {
			race.Acquire(p)
			tok := checkToken(ledger, p)
			ledger.Claim(tok.id, w)
			mine[n] = tok
			n++
		}
	})
	ids := make([]uintptr, n)
	for j := range ids {
		ids[j] = checkToken(ledger, unsafe.Pointer(mine[j])).id
	}
	return ids
}

// checkToken returns p as a token, recording a failure if its check word
// is not intact.
func checkToken(ledger *stresstest.Ledger, p unsafe.Pointer) *privateToken {
	tok := (*privateToken)(p)
	if tok.check != tok.id^privateMagic {
		ledger.Fail("token %d damaged: check %#x", tok.id, tok.check)
	}
	return tok
}

// TestPrivateStoresOnlyWithTheBarrierOffGC: the private sections store Go
// pointers without write barriers, so no push or pop may commit while the
// collector marks. It calls PushPrivate and PopPrivate, and PushAny,
// PopAny, PushOf and PopOf on a holder with private parts alone, while
// collections run, and fails on a call that moved a value with the
// collector marking throughout, or unless it saw calls of each path both
// ways (stresstest.CheckGated).
func TestPrivateStoresOnlyWithTheBarrierOffGC(t *testing.T) {
	requirePrivate(t)
	runtime.LockOSThread() // one P as far as it can: values pushed are popped there
	defer runtime.UnlockOSThread()
	holder := &AnyHolder{Private: newParts(runtime.GOMAXPROCS(0), 64)}
	missed := 0
	defer SetAnyMisses(anyMisses.pop, anyMisses.push)
	SetAnyMisses(func(*AnyRoot) any { missed++; return nil }, func(*AnyRoot, any) { missed++ })
	root := &AnyRoot{Holder: holder}
	typed := &typedRoot{holder: holder}
	v := new([64]byte)
	stored := func(call func()) bool {
		n := missed + typed.pops + typed.pushes
		call()
		return missed+typed.pops+typed.pushes == n
	}
	stresstest.CheckGated(t, []stresstest.GatedPath{
		{Name: "PushPrivate/PopPrivate",
			Push: func() bool { return PushPrivate(holder.Private, unsafe.Pointer(v), nil) == Committed },
			Pop:  func() bool { p, _, st := PopPrivate(holder.Private); return st == Committed && p != nil }},
		{Name: "PushAny/PopAny",
			Push: func() bool { return stored(func() { PushAny(root, v) }) },
			Pop:  func() bool { return stored(func() { PopAny(root) }) }},
		{Name: "PushOf/PopOf",
			Push: func() bool { return stored(func() { PushOf(typed, any(v)) }) },
			Pop:  func() bool { var out unsafe.Pointer; return stored(func() { PopOf(typed, unsafe.Pointer(&out)) }) }},
	})
}
