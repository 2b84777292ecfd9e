package main

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorseq/percpu/alloc"
	"github.com/gorseq/percpu/internal/stackshift"
)

// pairImpls are the pools the pair benchmarks compare, in their order.
var pairImpls = []string{"syncpool", "alloc", "allocof"}

// pairLoop returns the pair workload's loop (Get, write, Put, n times) on
// a new pool of impl, written out per pool so that each call is direct.
func pairLoop(impl string) func(n int) {
	switch impl {
	case "syncpool":
		p := &sync.Pool{New: func() any { return new(Item) }}
		return func(n int) {
			for range n {
				x := p.Get().(*Item)
				x.Data[0]++
				p.Put(x)
			}
		}
	case "alloc":
		p := &alloc.Pool{New: func() any { return new(Item) }}
		return func(n int) {
			for range n {
				x := p.Get().(*Item)
				x.Data[0]++
				p.Put(x)
			}
		}
	case "allocof":
		p := &alloc.PoolOf[*Item]{New: func() *Item { return new(Item) }}
		return func(n int) {
			for range n {
				x := p.Get()
				x.Data[0]++
				p.Put(x)
			}
		}
	}
	panic("pairLoop: no pool " + impl)
}

// BenchmarkPairDirect is the pair workload as a plain testing.B loop on the
// pools themselves, without the harness: the cross-check for allocbench's
// pair cells at -cpu 1 (docs/benchmarks.md compares the two). Like the
// harness, it spreads each run over stack depths (package stackshift).
//
//	go test -run '^$' -bench PairDirect -cpu 1 -count 6 ./cmd/allocbench
func BenchmarkPairDirect(b *testing.B) {
	for _, impl := range pairImpls {
		b.Run("impl="+impl, func(b *testing.B) {
			stackshift.Spread(b.N, 8, pairLoop(impl))
		})
	}
}

// BenchmarkPairDepths runs the pair loop at every stack depth of one page
// in turn (stackshift.Levels of them, one frame apart), each in a goroutine
// of its own, b.N round trips shared between them. ns/op is their mean;
// median-ns/op and p90-ns/op are the median and the 90th percentile of the
// depths' own times, the figures docs/alloc.md gives for the pair: where a
// loop's frames lie modulo 4 KiB moves its time by chance (docs/
// benchmarks.md, "Stack offsets"), so one depth, or eight, can land a
// contender on a slow one.
//
//	go test -run '^$' -bench PairDepths -cpu 1 -count 6 ./cmd/allocbench
func BenchmarkPairDepths(b *testing.B) {
	for _, impl := range pairImpls {
		b.Run("impl="+impl, func(b *testing.B) {
			loop := pairLoop(impl)
			levels := stackshift.Levels()
			var perOp []float64 // ns per round trip at each depth that ran
			done := make(chan float64)
			for lv := range levels {
				n := b.N / levels
				if lv < b.N%levels {
					n++
				}
				if n == 0 {
					continue
				}
				go stackshift.On(lv, func() {
					start := time.Now()
					loop(n)
					done <- float64(time.Since(start).Nanoseconds()) / float64(n)
				})
				perOp = append(perOp, <-done)
			}
			slices.Sort(perOp)
			b.ReportMetric(perOp[len(perOp)/2], "median-ns/op")
			b.ReportMetric(perOp[len(perOp)*9/10], "p90-ns/op")
		})
	}
}
