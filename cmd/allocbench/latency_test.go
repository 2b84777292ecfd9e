package main

import (
	"testing"
	"time"
)

// Every duration falls in a bucket whose upper bound is above it and within
// 1/16 of it.
func TestLatencyBuckets(t *testing.T) {
	for ns := uint64(0); ns < 1<<20; ns += 1 + ns/7 {
		checkLatencyBucket(t, ns)
	}
	for _, ns := range []uint64{1<<40 - 1, 1 << 40, 1<<62 + 12345, 1 << 62} {
		checkLatencyBucket(t, ns)
	}
}

func checkLatencyBucket(t *testing.T, ns uint64) {
	t.Helper()
	i := latencyBucket(ns)
	end := latencyBucketEnd(i)
	if i < 0 || i >= latencyBuckets || end <= float64(ns) || end > float64(ns)*(1+1.0/16)+1 {
		t.Errorf("%d ns: bucket %d ends at %v", ns, i, end)
	}
	if i > 0 && latencyBucketEnd(i-1) > float64(ns) {
		t.Errorf("%d ns: bucket %d, but the one before ends at %v", ns, i, latencyBucketEnd(i-1))
	}
}

// Quantiles come from the counts, by nearest rank: of 100 requests, 98 fast
// and 2 slow, the median is fast and the 99th percentile the faster slow one.
func TestLatencyQuantiles(t *testing.T) {
	var l latencies
	if l.quantile(0.5) != 0 {
		t.Errorf("empty: median %v", l.quantile(0.5))
	}
	for range 97 {
		l.record(500 * time.Nanosecond)
	}
	l.record(40 * time.Microsecond)
	l.record(-1) // a clock step back counts as 0
	l.record(50 * time.Microsecond)
	var r latencyRecorder
	r.add(&l)
	got := r.take()
	p50, p99, p100 := got.quantile(0.5), got.quantile(0.99), got.quantile(1)
	if got.samples() != 100 || p50 < 500 || p50 > 540 || p99 < 40_000 || p99 > 42_500 || p100 < 50_000 || p100 > 53_200 {
		t.Errorf("%d samples: p50 %v, p99 %v, max %v", got.samples(), p50, p99, p100)
	}
	if again := r.take(); again.samples() != 0 {
		t.Errorf("take after take: %d samples", again.samples())
	}
}
