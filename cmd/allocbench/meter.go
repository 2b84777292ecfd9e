package main

import (
	"math"
	"runtime/metrics"
)

// The runtime/metrics a meter reads. Heap allocation counts are what
// runtime.MemStats.Mallocs and TotalAlloc report (allocs:objects leaves tiny
// objects out), without stopping the world to read them. The CPU classes
// are the runtime's snapshot at the end of the last GC, not the moment of
// the read: a run begins with a GC, so the GC's share of the CPU between
// two readings is its share up to the run's last GC.
const (
	metricObjects = "/gc/heap/allocs:objects"
	metricTiny    = "/gc/heap/tiny/allocs:objects"
	metricBytes   = "/gc/heap/allocs:bytes"
	metricCycles  = "/gc/cycles/total:gc-cycles"
	metricGCCPU   = "/cpu/classes/gc/total:cpu-seconds"
	metricCPU     = "/cpu/classes/total:cpu-seconds"
	metricPauses  = "/sched/pauses/total/gc:seconds"
)

// A meter reads the runtime's cumulative counters around a timed run.
type meter struct{ samples []metrics.Sample }

// A reading is a meter's counters at one moment.
type reading struct {
	objects, bytes, cycles uint64
	gcCPU, cpu             float64  // seconds
	pauses                 []uint64 // counts per bucket of pauseBuckets
	pauseBuckets           []float64
}

// delta is the difference between two readings.
type delta struct {
	objects, bytes, cycles uint64
	gcCPU, cpu             float64 // seconds
	maxPause               float64 // seconds: upper bound of the highest bucket that grew
}

func newMeter() *meter {
	names := []string{metricObjects, metricTiny, metricBytes, metricCycles, metricGCCPU, metricPauses, metricCPU}
	m := &meter{samples: make([]metrics.Sample, len(names))}
	for i, name := range names {
		m.samples[i].Name = name
	}
	return m
}

func (m *meter) read() reading {
	metrics.Read(m.samples)
	s := m.samples
	h := s[5].Value.Float64Histogram()
	return reading{
		objects:      s[0].Value.Uint64() + s[1].Value.Uint64(),
		bytes:        s[2].Value.Uint64(),
		cycles:       s[3].Value.Uint64(),
		gcCPU:        s[4].Value.Float64(),
		cpu:          s[6].Value.Float64(),
		pauses:       append([]uint64(nil), h.Counts...),
		pauseBuckets: h.Buckets,
	}
}

// since returns what happened between before and r.
func (r reading) since(before reading) delta {
	u := delta{
		objects: r.objects - before.objects,
		bytes:   r.bytes - before.bytes,
		cycles:  r.cycles - before.cycles,
		gcCPU:   r.gcCPU - before.gcCPU,
		cpu:     r.cpu - before.cpu,
	}
	for i := len(r.pauses) - 1; i >= 0; i-- {
		if r.pauses[i] > before.pauses[i] {
			u.maxPause = r.pauseBuckets[i+1]
			if math.IsInf(u.maxPause, 1) {
				u.maxPause = r.pauseBuckets[i]
			}
			break
		}
	}
	return u
}
