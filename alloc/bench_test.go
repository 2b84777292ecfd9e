package alloc

import (
	"sync"
	"testing"
)

// Compare with sync.Pool: go test -run x -bench . -count 6 -cpu 1,2,8,32
// and benchstat -col /impl.

type item struct{ _ [64]byte }

func BenchmarkPool(b *testing.B) {
	b.Run("impl=alloc", func(b *testing.B) {
		p := Pool{New: func() any { return new(item) }}
		benchPair(b, func() { p.Put(p.Get()) })
	})
	b.Run("impl=syncpool", func(b *testing.B) {
		p := sync.Pool{New: func() any { return new(item) }}
		benchPair(b, func() { p.Put(p.Get()) })
	})
}

func BenchmarkPoolOf(b *testing.B) {
	b.Run("impl=alloc", func(b *testing.B) {
		p := PoolOf[*item]{New: func() *item { return new(item) }}
		benchPair(b, func() { p.Put(p.Get()) })
	})
	b.Run("impl=syncpool", func(b *testing.B) {
		p := sync.Pool{New: func() any { return new(item) }}
		benchPair(b, func() { p.Put(p.Get().(*item)) })
	})
}

func BenchmarkBytes(b *testing.B) {
	b.Run("impl=alloc", func(b *testing.B) {
		var p Buffers
		benchPair(b, func() { p.Put(p.Get(1000)) })
	})
	b.Run("impl=syncpool", func(b *testing.B) {
		// The usual idiom: a sync.Pool of *[]byte per class, here one.
		p := sync.Pool{New: func() any { s := make([]byte, 1024); return &s }}
		benchPair(b, func() {
			s := p.Get().(*[]byte)
			_ = (*s)[:1000]
			p.Put(s)
		})
	})
}

func benchPair(b *testing.B, pair func()) {
	b.Run("mode=serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			pair()
		}
	})
	b.Run("mode=parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				pair()
			}
		})
	})
}
