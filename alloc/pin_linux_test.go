//go:build linux

package alloc

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gorseq/percpu/rseq"
)

// onOneCPU runs body on a thread locked to its goroutine and pinned to the
// CPU it is on, so that every section body runs uses one CPU's stacks; it
// reports false, without running body, where affinity cannot be set.
func onOneCPU(t *testing.T, body func()) bool {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var old, one unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		t.Logf("affinity not available: %v", err)
		return false
	}
	one.Set(rseq.CPU())
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		t.Logf("affinity not available: %v", err)
		return false
	}
	defer unix.SchedSetaffinity(0, &old)
	runtime.Gosched()
	body()
	return true
}
