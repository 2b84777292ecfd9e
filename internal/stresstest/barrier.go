package stresstest

import (
	"runtime/metrics"
	_ "unsafe" // for go:linkname
)

// writeBarrier is the runtime's switch of its write barrier, on exactly
// while the collector marks. The runtime keeps it reachable by linkname
// (go.dev/issue/67401) with this type; only enabled is read here.
//
//go:linkname writeBarrier runtime.writeBarrier
var writeBarrier struct {
	enabled bool
	pad     [3]byte
	alignme uint64
}

// MarkedThroughout calls f and reports whether the collector marked, its
// write barrier on, for the whole call: the barrier was on before and
// after it, and no cycle ended in between. The barrier turns off only at
// the end of a cycle, so on at both ends of a stretch in which none ended
// means on throughout. (The count is read first and last, around both
// readings of the switch, so that a cycle that ended just before the first
// reading and a new one that began are not taken for one cycle.)
func MarkedThroughout(f func()) bool {
	before := completedCycles()
	on := writeBarrier.enabled
	f()
	on = on && writeBarrier.enabled
	return on && completedCycles() == before
}

// completedCycles reads the number of completed GC cycles.
func completedCycles() uint64 {
	var s [1]metrics.Sample
	s[0].Name = "/gc/cycles/total:gc-cycles"
	metrics.Read(s[:])
	return s[0].Value.Uint64()
}
