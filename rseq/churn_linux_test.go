//go:build linux

package rseq

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

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
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread() // never unlocked: the thread exits
				if unix.Gettid() == unix.Getpid() {
					onMain.Add(1)
				}
				c.Add(1)
			}()
		}
		wg.Wait()
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
