//go:build !linux

package alloc

import "testing"

// pinToOneCPU skips the test: affinity is set only on Linux here.
func pinToOneCPU(t testing.TB) func() {
	t.Helper()
	t.Skip("affinity is set only on Linux")
	return func() {}
}
