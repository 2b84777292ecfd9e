package rseq

import (
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/gorseq/percpu/internal/procpin"
)

// The benchmarks compare the public API with what a Go programmer would
// otherwise write. Run them with -count 6 or more and compare with benchstat.

func BenchmarkCounterAdd(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		c := NewCounter()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Add(1)
			}
		})
	})
	b.Run("impl=atomic", func(b *testing.B) {
		var c atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Add(1)
			}
		})
	})
	b.Run("impl=procpin", func(b *testing.B) {
		cells := make([]paddedInt64, shardCount())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				p := procpin.Pin()
				c := &cells[p&(len(cells)-1)]
				atomic.StoreInt64(&c.n, atomic.LoadInt64(&c.n)+1) // pinned: no other writer
				procpin.Unpin()
			}
		})
	})
}

type item struct{ _ [64]byte }

func BenchmarkPopPush(b *testing.B) {
	b.Run("impl=rseq-words", func(b *testing.B) {
		s := NewWordStacks([]int{64})
		benchPair(b, func() { s.Push(0, 1) }, func() {
			v, ok := s.Pop(0)
			if !ok {
				v = 1
			}
			s.Push(0, v)
		})
	})
	b.Run("impl=rseq-entries", func(b *testing.B) {
		s := NewEntryStacks([]int{64})
		seed := func() { s.Push(0, Entry{P: unsafe.Pointer(new(item))}) }
		benchPair(b, seed, func() {
			e, ok := s.Pop(0)
			if !ok {
				e = Entry{P: unsafe.Pointer(new(item))}
			}
			s.Push(0, e)
		})
	})
	b.Run("impl=syncpool", func(b *testing.B) {
		p := sync.Pool{New: func() any { return new(item) }}
		benchPair(b, func() {}, func() { p.Put(p.Get()) })
	})
	b.Run("impl=mutex", func(b *testing.B) {
		var mu sync.Mutex
		var stack []*item
		benchPair(b, func() {}, func() {
			mu.Lock()
			var it *item
			if n := len(stack); n > 0 {
				it, stack = stack[n-1], stack[:n-1]
			}
			mu.Unlock()
			if it == nil {
				it = new(item)
			}
			mu.Lock()
			stack = append(stack, it)
			mu.Unlock()
		})
	})
}

// benchPair runs pair serially and in parallel; seed fills the caller's
// cache first so the steady state is measured.
func benchPair(b *testing.B, seed, pair func()) {
	b.Run("mode=serial", func(b *testing.B) {
		seed()
		b.ReportAllocs()
		for b.Loop() {
			pair()
		}
	})
	b.Run("mode=parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			seed()
			for pb.Next() {
				pair()
			}
		})
	})
}
