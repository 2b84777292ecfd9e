//go:build linux

package rseq

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/stresstest"
)

// TestThreadChurnReusesAreas lets many locked goroutines exit (their threads
// die with them) and checks that the areas of dead threads are reused rather
// than leaked, and that every new thread could register.
func TestThreadChurnReusesAreas(t *testing.T) {
	if Status().Mode != ModeOwn {
		t.Skip("areas are only ours in own mode")
	}
	c := NewCounter()
	failedBefore := threadsFailed.Load()
	var onMain atomic.Int64 // in a PIE binary the main thread cannot register
	const threads = 400
	for round := 0; round < threads/20; round++ {
		stresstest.Workers(20, stresstest.LockFirst(20, true), func(int) {
			if unix.Gettid() == unix.Getpid() {
				onMain.Add(1)
			}
			c.Add(1)
		})
	}
	if got := c.Load(); got != threads {
		t.Fatalf("counter = %d, want %d", got, threads)
	}
	if f := threadsFailed.Load() - failedBefore; f > min(onMain.Load(), 1) {
		t.Fatalf("%d new threads failed to register: %s", f, Status().ThreadFailReason)
	}
	// One page holds 128 areas; dead threads' areas are reclaimed when a
	// page runs out, so the live set stays near the live thread count.
	if inUse, live := areasInUse(), len(stresstest.ThreadIDs()); inUse > live+128 {
		t.Fatalf("%d areas in use with %d live threads: dead threads' areas leak", inUse, live)
	}
}

// TestRetryRunsOnTheThreadItRegistered checks that settle's retry, after it
// registers a thread, runs on that thread: while threads keep dying and new,
// unregistered ones take their Ps, a retry that yields must still find an
// area. Unlocked between the registration and the retry, a goroutine moves
// to a new thread and its section reports Unregistered again, which is how
// an entry-stack call once went to a shard while the GC marked.
func TestRetryRunsOnTheThreadItRegistered(t *testing.T) {
	if Status().Mode != ModeOwn {
		t.Skip("settle registers threads only in own mode")
	}
	stop := make(chan struct{})
	var churn sync.WaitGroup
	churn.Add(1)
	go func() { // new threads, none registered, keep replacing dying ones
		defer churn.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			stresstest.Workers(4, stresstest.LockFirst(4, true), func(int) {
				// Blocked in a system call, the thread loses its P to
				// another thread, often a new one.
				unix.Nanosleep(&unix.Timespec{Nsec: 100_000}, nil)
			})
		}
	}()
	defer func() { close(stop); churn.Wait() }()
	moved := 0
	for i := 0; i < 2000; i++ {
		st, _ := settle(arch.Unregistered, func() arch.Status {
			for j := 0; j < 4; j++ {
				runtime.Gosched()
			}
			_, st := arch.CurrentIndex()
			return st
		})
		if st.Outcome() == arch.Unregistered {
			moved++
		}
	}
	if moved > 0 {
		t.Fatalf("%d of 2000 retries ran on a thread without an area", moved)
	}
}
