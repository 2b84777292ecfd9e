//go:build !linux

package alloc

import "testing"

// pinToOneCPU skips the test: affinity is set only on Linux here.
func pinToOneCPU(t testing.TB) func() {
	t.Helper()
	t.Skip("affinity is set only on Linux")
	return func() {}
}

// onCPU skips the test: CPU affinity is Linux's.
func onCPU(t testing.TB, cpu int, body func()) {
	t.Helper()
	t.Skip("CPU affinity is not available on this system")
}
