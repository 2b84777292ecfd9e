//go:build linux && amd64 && !purego

package arch

import "testing"

func TestCPUInstruction(t *testing.T) {
	c, ok := CPU()
	t.Logf("CPU() = %d via %s", c, CPUIDInstruction())
	if ok && (c < 0 || c >= 4096) {
		t.Fatalf("CPU() = %d", c)
	}
	if ok != (CPUIDInstruction() != "none") {
		t.Fatalf("CPU() ok = %v with instruction %q", ok, CPUIDInstruction())
	}
}
