package main

import (
	"sync"
	"testing"

	"github.com/gorseq/percpu/alloc"
	"github.com/gorseq/percpu/internal/stackshift"
)

// BenchmarkPairDirect is the pair workload as a plain testing.B loop on the
// pools themselves, without the harness: the cross-check for allocbench's
// pair cells at -cpu 1 (docs/benchmarks.md compares the two). Like the
// harness, it spreads each run over stack depths (package stackshift).
//
//	go test -run '^$' -bench PairDirect -cpu 1 -count 6 ./cmd/allocbench
func BenchmarkPairDirect(b *testing.B) {
	b.Run("impl=syncpool", func(b *testing.B) {
		p := sync.Pool{New: func() any { return new(Item) }}
		stackshift.Spread(b.N, 8, func(n int) {
			for range n {
				x := p.Get().(*Item)
				x.Data[0]++
				p.Put(x)
			}
		})
	})
	b.Run("impl=alloc", func(b *testing.B) {
		p := alloc.Pool{New: func() any { return new(Item) }}
		stackshift.Spread(b.N, 8, func(n int) {
			for range n {
				x := p.Get().(*Item)
				x.Data[0]++
				p.Put(x)
			}
		})
	})
	b.Run("impl=allocof", func(b *testing.B) {
		p := alloc.PoolOf[*Item]{New: func() *Item { return new(Item) }}
		stackshift.Spread(b.N, 8, func(n int) {
			for range n {
				x := p.Get()
				x.Data[0]++
				p.Put(x)
			}
		})
	})
}
