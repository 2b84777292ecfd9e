//go:build linux && amd64 && !purego

package arch

func rdpid() uint32
func rdtscpAux() uint32
func cpuid(leaf, sub uint32) (a, b, c, d uint32)

// CPUIDInstruction reports the instruction CPU uses without rseq.
func CPUIDInstruction() string {
	switch {
	case hasRDPID:
		return "rdpid"
	case hasRDTSCP:
		return "rdtscp"
	}
	return "none"
}

// Linux keeps (node<<12)|cpu in TSC_AUX, which RDPID and RDTSCP read.
var (
	hasRDPID  = func() bool { _, _, c, _ := cpuid(7, 0); return c&(1<<22) != 0 }()
	hasRDTSCP = func() bool {
		if max, _, _, _ := cpuid(0x80000000, 0); max < 0x80000001 {
			return false
		}
		_, _, _, d := cpuid(0x80000001, 0)
		return d&(1<<27) != 0
	}()
)

// CPU returns the current CPU from the processor (TSC_AUX), without rseq,
// and false when the processor offers no user-mode way to read it.
func CPU() (int, bool) {
	switch {
	case hasRDPID:
		return int(rdpid() & 0xfff), true
	case hasRDTSCP:
		return int(rdtscpAux() & 0xfff), true
	}
	return 0, false
}
