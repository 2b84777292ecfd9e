package stresstest

import (
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
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

// Marking reports whether the collector is marking now (its write barrier
// is on).
func Marking() bool { return writeBarrier.enabled }

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

// GatedPath is a way into and out of a structure that stores Go pointers
// without write barriers: Push and Pop each report whether they moved the
// value.
type GatedPath struct {
	Name      string
	Push, Pop func() bool
}

// gatedEnough is how many calls of each outcome CheckGated wants to see.
const gatedEnough = 20

// CheckGated calls each path's Push and Pop in turn while collections run
// (GOGC=1 and a loop of runtime.GC), each inside MarkedThroughout, and
// fails t on a call that moved a value with the collector marking
// throughout. It also fails unless gatedEnough calls of each path ran so
// and as many moved a value: it must have seen both.
func CheckGated(t testing.TB, paths []GatedPath) {
	t.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	var ds Disturbers
	ds.Start(CollectGarbage(200*time.Microsecond, 1024))
	defer ds.Stop()
	for _, path := range paths {
		var gated, moved int
		for i := 0; i < 1_000_000 && (gated < gatedEnough || moved < gatedEnough); i++ {
			for _, call := range []func() bool{path.Push, path.Pop} {
				var ok bool
				if MarkedThroughout(func() { ok = call() }) {
					if ok {
						t.Fatalf("%s moved a value while the collector marked", path.Name)
					}
					gated++
				} else if ok {
					moved++
				}
			}
		}
		t.Logf("%s: %d calls while marking, %d moved", path.Name, gated, moved)
		if gated < gatedEnough || moved < gatedEnough {
			t.Fatalf("%s: %d calls while marking and %d that moved a value, want %d of each", path.Name, gated, moved, gatedEnough)
		}
	}
}
