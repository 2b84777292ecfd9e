package rseq

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
	"unsafe"
)

// envHandOffChild runs useAfterPush in the re-executed test binary.
const envHandOffChild = "PERCPU_TEST_USE_AFTER_PUSH"

// TestRaceUseAfterPushReported: under -race, a value used after it was
// pushed, by the pusher, races with its use by the goroutine that took it
// out, and the detector says so, even when the value's address is also a
// mutex's (internal/race: the hand-off does not synchronize on the value's
// own address, where it would order the taker after the mutex's Unlock).
// The race is expected, so it runs in a child process.
func TestRaceUseAfterPushReported(t *testing.T) {
	if !raceEnabled {
		t.Skip("needs the race detector")
	}
	if os.Getenv(envHandOffChild) == "1" {
		useAfterPush()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRaceUseAfterPushReported$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envHandOffChild+"=1")
	out, _ := cmd.CombinedOutput()
	switch {
	case bytes.Contains(out, []byte("not drained")):
		t.Skip("Drain could not take the per-CPU stacks (no fence)")
	case !bytes.Contains(out, []byte("WARNING: DATA RACE")):
		t.Fatalf("a use after Push was not reported as a race:\n%s", out)
	}
}

// guarded is a value whose address is its mutex's.
type guarded struct {
	mu sync.Mutex
	n  int
}

// useAfterPush pushes a guarded, then writes it under its mutex; another
// goroutine, later, drains it and writes it: a race.
func useAfterPush() {
	s := NewEntryStacks([]int{4})
	x := new(guarded)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if !s.Push(0, Entry{P: unsafe.Pointer(x)}) {
			panic("push failed")
		}
		x.mu.Lock()
		x.n = 1 // the bug: x was handed off
		x.mu.Unlock()
	}()
	go func() {
		defer wg.Done()
		time.Sleep(100 * time.Millisecond) // after the other's Unlock, without synchronizing
		var got *guarded
		_ = s.Drain(func(_ int, entries []Entry) { got = (*guarded)(entries[0].P) })
		if got == nil {
			println("not drained")
			return
		}
		got.n = 2
	}()
	wg.Wait()
}
