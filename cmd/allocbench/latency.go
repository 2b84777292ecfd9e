package main

import (
	"math"
	"math/bits"
	"sync"
	"time"
)

// Request latencies, for the workloads that serve requests (Workload.Latency).
// Reading the clock twice costs 40–80 ns, as much as a small request, so a
// workload times one request in latencySampleEvery and counts it in a
// goroutine-local histogram; at the end of a run each goroutine adds its
// histogram to the Target's. The timed runs' ns/op include the sampling.
const latencySampleEvery = 64

// latencySubBits sets the histogram's resolution: 2^latencySubBits buckets
// per power of two, so a bucket's bounds are within 1/16 (6%) of each other.
const latencySubBits = 4

// latencyBuckets covers every int64 nanosecond count.
const latencyBuckets = 64 << latencySubBits

// latencies is a log-linear histogram of durations in nanoseconds: values
// below 2^latencySubBits each have a bucket, and each power of two above is
// split into 2^latencySubBits equal buckets. It is used by one goroutine.
type latencies struct {
	counts [latencyBuckets]uint64
}

// record counts one duration; negative ones count as 0.
func (l *latencies) record(d time.Duration) {
	l.counts[latencyBucket(uint64(max(d, 0)))]++
}

// latencyBucket returns the bucket of ns.
func latencyBucket(ns uint64) int {
	if ns < 1<<latencySubBits {
		return int(ns)
	}
	shift := bits.Len64(ns) - latencySubBits - 1
	return (shift+1)<<latencySubBits + int(ns>>shift&(1<<latencySubBits-1))
}

// latencyBucketEnd returns the exclusive upper bound of bucket i, in
// nanoseconds.
func latencyBucketEnd(i int) float64 {
	if i < 1<<latencySubBits {
		return float64(i + 1)
	}
	shift := i>>latencySubBits - 1
	mantissa := uint64(i&(1<<latencySubBits-1) | 1<<latencySubBits)
	return float64(mantissa+1) * float64(uint64(1)<<shift)
}

// samples returns the number of durations counted.
func (l *latencies) samples() uint64 {
	var n uint64
	for _, c := range l.counts {
		n += c
	}
	return n
}

// quantile returns the upper bound of the bucket that holds the q-quantile
// (0 < q ≤ 1) of the counted durations, in nanoseconds: the true value is
// below it and within 6% of it. It returns 0 if nothing was counted.
func (l *latencies) quantile(q float64) float64 {
	n := l.samples()
	if n == 0 {
		return 0
	}
	// The nearest rank, ⌈q·n⌉ (1-based), less a little for q·n's rounding.
	rank := uint64(math.Ceil(q*float64(n) - 1e-9))
	rank = min(max(rank, 1), n)
	var seen uint64
	for i, c := range l.counts {
		if seen += c; seen >= rank {
			return latencyBucketEnd(i)
		}
	}
	return latencyBucketEnd(latencyBuckets - 1)
}

// A latencyRecorder gathers the goroutines' histograms of one timed run.
type latencyRecorder struct {
	mu  sync.Mutex // guards all
	all latencies
}

// add adds a goroutine's histogram.
func (r *latencyRecorder) add(l *latencies) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, c := range l.counts {
		r.all.counts[i] += c
	}
}

// take returns what was added since the last take and starts afresh.
func (r *latencyRecorder) take() latencies {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.all
	r.all = latencies{}
	return l
}
