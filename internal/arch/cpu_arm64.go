//go:build linux && arm64 && !purego

package arch

// CPUIDInstruction reports that arm64 has no user-mode CPU-number read.
func CPUIDInstruction() string { return "none" }

// CPU reports that the processor's CPU number cannot be read here; package
// rseq then uses the rseq area or getcpu.
func CPU() (int, bool) { return 0, false }
