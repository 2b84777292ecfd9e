//go:build linux

package rseq

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// pinToOneCPU pins the calling (locked) thread to the CPU it is on and
// returns a function that restores its affinity.
func pinToOneCPU(t *testing.T) func() {
	t.Helper()
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		t.Logf("affinity not available: %v", err)
		return func() {}
	}
	var one unix.CPUSet
	one.Set(CPU())
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		t.Logf("affinity not available: %v", err)
		return func() {}
	}
	runtime.Gosched()
	return func() { _ = unix.SchedSetaffinity(0, &old) }
}
