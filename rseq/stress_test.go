package rseq

import (
	"runtime"
	"testing"
	"time"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/stresstest"
)

// The stress tests follow the kernel's rseq param_test: many more threads
// than CPUs, each running critical sections in a loop, with preemption,
// signals and (in RSEQ_DELAY builds) delays widening every gap; the only
// assertion is conservation. Aborts are reported, never asserted. The
// workers, the disturbers and the ownership ledger are internal/stresstest's.

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
	var ds stresstest.Disturbers
	if l.signals {
		ds.Start(stresstest.SignalStorm(20 * time.Microsecond))
	}
	if l.gomaxprocs {
		ds.Start(stresstest.FlipGOMAXPROCS(time.Millisecond))
	}
	if l.gc {
		ds.Start(stresstest.CollectGarbage(0, 500))
	}
	stresstest.Workers(l.lockedThreads+l.goroutines, stresstest.LockFirst(l.lockedThreads, l.churn), func(w int) {
		stresstest.Repeat(l.iterations, func(i int) { work(w, i) })
	})
	ds.Stop()
	after := Status()
	t.Logf("mode %v; aborts %d, ops that gave up %d, threads registered %d, failed %d; disturbances: %v",
		after.Mode, after.Aborts-before.Aborts, after.AbortedOps-before.AbortedOps,
		after.ThreadsRegistered, after.ThreadsFailed, ds)
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
