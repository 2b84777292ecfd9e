package stresstest

import (
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestLedgerReportsDoubleHandOut(t *testing.T) {
	l := NewLedger(4)
	l.Claim(2, 0)
	l.Release(2)
	l.Claim(2, 1)
	if err := l.Err(); err != nil {
		t.Fatalf("a released token claimed again: %v", err)
	}
	l.Claim(2, 3)
	err := l.Err()
	if err == nil || !strings.Contains(err.Error(), "token 2 handed to worker 3 while worker 1 held it") {
		t.Fatalf("double hand-out reported as %v", err)
	}
	var h Holder
	if !l.ClaimHolder(&h, "x", 5) || l.ClaimHolder(&h, "x", 6) || l.Failures() != 2 {
		t.Fatalf("a holder word claimed twice: %d failures", l.Failures())
	}
}

func TestLedgerConservation(t *testing.T) {
	l := NewLedger(6)
	if err := l.Conservation([][]uintptr{{1, 2}, {3}}, []uintptr{4, 5}); err != nil {
		t.Fatal(err)
	}
	err := l.Conservation([][]uintptr{{1, 2}, {3, 2}}, []uintptr{5, 7})
	if err == nil || !strings.Contains(err.Error(), "conservation broken (of 5 tokens): 1 lost [4], 1 duplicated [2], 1 not tokens [7]") {
		t.Fatalf("a lost, a duplicated and a foreign token reported as %v", err)
	}
}

func TestDisturbersCount(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	var ds Disturbers
	storm := ds.Start(SignalStorm(100 * time.Microsecond))
	flips := ds.Start(FlipGOMAXPROCS(100*time.Microsecond, 1, 2))
	gcs := ds.Start(CollectGarbage(0, 100))
	var steps atomic.Int64
	Workers(4, LockFirst(2, false), func(w int) {
		Loop(10, 1<<30, func() bool { return gcs.Count() >= 3 && flips.Count() >= 3 && storm.Count() >= 3 }, func(int) {
			steps.Add(1)
			time.Sleep(10 * time.Microsecond)
		})
	})
	ds.Stop()
	t.Logf("%d steps; %v", steps.Load(), ds)
	if gcs.Count() < 3 || flips.Count() < 3 || CanSignalThreads && storm.Count() < 3 {
		t.Fatalf("the disturbers did not run: %v", ds)
	}
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Fatalf("GOMAXPROCS = %d after the flipper stopped, want %d", got, procs)
	}
}
