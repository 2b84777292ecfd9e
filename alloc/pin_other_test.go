//go:build !linux

package alloc

import "testing"

// onOneCPU reports false: this system has no affinity call the tests use.
func onOneCPU(t *testing.T, body func()) bool { return false }
