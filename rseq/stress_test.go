package rseq

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/percpu/internal/arch"
)

// The stress tests follow the kernel's rseq param_test: many more threads
// than CPUs, each running critical sections in a loop, with preemption,
// signals and (in RSEQ_DELAY builds) delays widening every gap; the only
// assertion is conservation. Aborts are reported, never asserted.

// load describes one stress run.
type load struct {
	lockedThreads int // goroutines locked to their own threads
	goroutines    int // ordinary goroutines
	iterations    int // operations per goroutine
	churn         bool
	signals       bool
	gomaxprocs    bool // change GOMAXPROCS during the run
	gc            bool // force GCs during the run
}

func defaultLoad() load {
	n := runtime.NumCPU()
	l := load{lockedThreads: 6 * n, goroutines: 64, iterations: 20000}
	if testing.Short() || raceEnabled {
		l.iterations = 2000
	}
	if arch.DelayInjected() {
		l.iterations /= 10
	}
	return l
}

// run starts the workers, each calling work(worker, iteration), and the
// disturbances the load asks for, and waits for the workers.
func (l load) run(t *testing.T, work func(worker, i int)) {
	t.Helper()
	before := Status()
	stop := make(chan struct{})
	var disturb sync.WaitGroup
	if l.signals {
		disturb.Add(1)
		go func() { defer disturb.Done(); signalStorm(stop) }()
	}
	if l.gomaxprocs {
		disturb.Add(1)
		go func() { defer disturb.Done(); flipGOMAXPROCS(stop) }()
	}
	if l.gc {
		disturb.Add(1)
		go func() { defer disturb.Done(); collectGarbage(stop) }()
	}
	var wg sync.WaitGroup
	for w := 0; w < l.lockedThreads+l.goroutines; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			if w < l.lockedThreads {
				runtime.LockOSThread()
				if !l.churn {
					defer runtime.UnlockOSThread()
				} // with churn the thread exits with the goroutine
			}
			for i := 0; i < l.iterations; i++ {
				work(w, i)
				if i%64 == 0 {
					runtime.Gosched()
				}
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	disturb.Wait()
	after := Status()
	t.Logf("mode %v; aborts %d, ops that gave up %d, threads registered %d, failed %d",
		after.Mode, after.Aborts-before.Aborts, after.AbortedOps-before.AbortedOps,
		after.ThreadsRegistered, after.ThreadsFailed)
}

// signalStorm sends SIGURG, which the runtime tolerates at any rate, to
// every thread of the process until stop closes; each one aborts any
// section running on that thread.
func signalStorm(stop <-chan struct{}) {
	pid := os.Getpid()
	for {
		select {
		case <-stop:
			return
		default:
		}
		for _, tid := range threadIDs() {
			signalThread(pid, tid)
		}
		time.Sleep(20 * time.Microsecond)
	}
}

func flipGOMAXPROCS(stop <-chan struct{}) {
	orig := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(orig)
	for n := 1; ; n = n%(4*runtime.NumCPU()) + 1 {
		select {
		case <-stop:
			return
		case <-time.After(time.Millisecond):
			runtime.GOMAXPROCS(n)
		}
	}
}

func collectGarbage(stop <-chan struct{}) {
	var sink []*[64]byte
	for {
		select {
		case <-stop:
			return
		default:
		}
		for i := 0; i < 1000; i++ {
			sink = append(sink, new([64]byte))
		}
		sink = sink[:0]
		runtime.GC()
	}
}

// ledger tracks which worker holds each token: claim fails when a token is
// handed out while someone else holds it.
type ledger struct {
	holder []atomic.Int32 // 0: in a structure; w+1: held by worker w
	dups   atomic.Int64
	first  atomic.Pointer[string]
}

func newLedger(tokens int) *ledger { return &ledger{holder: make([]atomic.Int32, tokens)} }

func (l *ledger) claim(token uintptr, w int) {
	if !l.holder[token].CompareAndSwap(0, int32(w+1)) {
		if l.dups.Add(1) == 1 {
			msg := fmt.Sprintf("token %d handed to worker %d while held by worker %d", token, w, l.holder[token].Load()-1)
			l.first.Store(&msg)
		}
	}
}

func (l *ledger) release(token uintptr) { l.holder[token].Store(0) }

func (l *ledger) check(t *testing.T) {
	t.Helper()
	if n := l.dups.Load(); n > 0 {
		t.Fatalf("%d duplicated hand-outs; first: %s", n, *l.first.Load())
	}
}

// conserve checks that every token from 1 to n-1 appears exactly once across
// what the workers still hold and what was drained.
func conserve(t *testing.T, n int, held [][]uintptr, drained []uintptr) {
	t.Helper()
	seen := make([]int, n)
	for _, h := range held {
		for _, v := range h {
			seen[v]++
		}
	}
	for _, v := range drained {
		seen[v]++
	}
	lost, dup := 0, 0
	for v := 1; v < n; v++ {
		switch {
		case seen[v] == 0:
			lost++
		case seen[v] > 1:
			dup++
		}
	}
	if lost > 0 || dup > 0 {
		t.Fatalf("conservation broken: %d tokens lost, %d duplicated (of %d)", lost, dup, n-1)
	}
}

// variant is one disturbance mix of the stress matrix.
type variant struct {
	name string
	load load
	// gomaxprocs, when non-zero, is set for the variant's duration.
	gomaxprocs int
}

func variants() []variant {
	base := defaultLoad()
	with := func(f func(*load)) load { l := base; f(&l); return l }
	return []variant{
		{name: "oversubscribed", load: base},
		{name: "gomaxprocs-above-cpus", load: base, gomaxprocs: 8 * runtime.NumCPU()},
		{name: "signal-storm", load: with(func(l *load) { l.signals = true })},
		{name: "thread-churn", load: with(func(l *load) { l.churn = true })},
		{name: "gomaxprocs-changes", load: with(func(l *load) { l.gomaxprocs = true })},
	}
}

// forEachVariant runs body once per variant as a subtest.
func forEachVariant(t *testing.T, body func(t *testing.T, l load)) {
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			if v.gomaxprocs > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(v.gomaxprocs))
			}
			if arch.DelayInjected() {
				arch.SetDelay(64)
				defer arch.SetDelay(0)
			}
			body(t, v.load)
		})
	}
}

// currentSlot is the per-CPU index or fallback shard the caller would use.
func currentSlot() int {
	if on {
		if idx, st := arch.CurrentIndex(); st == arch.Committed {
			return int(idx)
		}
	}
	return -1 - shardHint()
}

// lockedOnOneCPU runs body on a thread pinned to one CPU. body reports
// false if it found the family in an unexpected state; it is retried a few
// times when the slot changed meanwhile (a migration, or an mm_cid change),
// which is the only way a correct family can surprise it.
func lockedOnOneCPU(t *testing.T, body func() bool) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer pinToOneCPU(t)()
	for try := 0; try < 5; try++ {
		before := currentSlot()
		ok := body()
		if currentSlot() == before {
			if !ok {
				t.Fatalf("unexpected result on slot %d", before)
			}
			return
		}
	}
	t.Skip("the slot changed during every try")
}

// threadRunsSections registers the calling (locked) thread if needed and
// reports whether it can run sections.
func threadRunsSections() bool {
	if !on {
		return false
	}
	_, st := arch.CurrentIndex()
	if st == arch.Unregistered {
		ensureRegistered()
		_, st = arch.CurrentIndex()
	}
	return st == arch.Committed
}
