//go:build linux

package rseq

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gorseq/percpu/internal/arch"
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

// TestCurrentCPUIDMatchesGetcpu checks the area's cpu_id, which CPU() reads
// on arm64 (no instruction gives the CPU there) whatever field indexes the
// sections, against the getcpu system call on a thread pinned to one CPU.
func TestCurrentCPUIDMatchesGetcpu(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if !threadRunsSections() {
		t.Skip("this thread cannot run sections: " + Status().ThreadFailReason)
	}
	defer pinToOneCPU(t)()
	for i := 0; i < 100; i++ {
		want, ok := getcpu()
		if !ok {
			t.Skip("no getcpu")
		}
		got, st := arch.CurrentCPUID()
		if st != arch.Committed || int(got) != want {
			t.Fatalf("CurrentCPUID() = %d, %v; getcpu = %d", got, st, want)
		}
	}
}
