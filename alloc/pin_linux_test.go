//go:build linux

package alloc

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gorseq/percpu/rseq"
)

// pinToOneCPU locks the calling goroutine to its thread and that thread to
// the CPU it runs on, so that every call it makes meets the same per-CPU
// stack; the returned function undoes both. It skips the test where the
// affinity cannot be set.
func pinToOneCPU(t testing.TB) func() {
	t.Helper()
	runtime.LockOSThread()
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		runtime.UnlockOSThread()
		t.Skipf("affinity not available: %v", err)
	}
	var one unix.CPUSet
	one.Set(rseq.CPU())
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		runtime.UnlockOSThread()
		t.Skipf("affinity not available: %v", err)
	}
	runtime.Gosched() // move to that CPU now, if the kernel has not yet
	return func() {
		_ = unix.SchedSetaffinity(0, &old)
		runtime.UnlockOSThread()
	}
}

// onCPU runs body with the calling thread (which must be locked) bound to
// CPU cpu, then restores its affinity; it skips the test where the affinity
// cannot be set.
func onCPU(t testing.TB, cpu int, body func()) {
	t.Helper()
	var old, one unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		t.Skipf("affinity not available: %v", err)
	}
	one.Set(cpu)
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		t.Skipf("CPU %d not available: %v", cpu, err)
	}
	defer unix.SchedSetaffinity(0, &old)
	runtime.Gosched() // move there now
	body()
}
