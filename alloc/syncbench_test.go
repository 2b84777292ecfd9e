package alloc

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bytedance/gopkg/lang/syncx"
)

// The standard library's own pool benchmarks (sync/pool_test.go), each as
// impl=alloc (Pool), impl=sync (sync.Pool) and impl=syncx (ByteDance's
// syncx.Pool, a per-P pool users pick for speed), so that a user comparing
// them sees the rows they already know. Each body is written once per
// implementation, with no interface or closure between the benchmark and
// the pool, so that neither pays for the harness. Each goroutine runs its
// loop at another stack depth (runParallelShifted).
//
//	go test -run '^$' -bench 'Std' -count 6 -cpu 1,2 ./alloc/ | benchstat -col /impl -

// BenchmarkStdPool is sync's BenchmarkPool: Put then Get, in parallel.
func BenchmarkStdPool(b *testing.B) {
	b.Run("impl=alloc", func(b *testing.B) {
		var p Pool
		runParallelShifted(b, func(pb *testing.PB) {
			for pb.Next() {
				p.Put(1)
				p.Get()
			}
		})
	})
	b.Run("impl=sync", func(b *testing.B) {
		var p sync.Pool
		runParallelShifted(b, func(pb *testing.PB) {
			for pb.Next() {
				p.Put(1)
				p.Get()
			}
		})
	})
	b.Run("impl=syncx", func(b *testing.B) {
		var p syncx.Pool
		runParallelShifted(b, func(pb *testing.PB) {
			for pb.Next() {
				p.Put(1)
				p.Get()
			}
		})
	})
}

// overflowBurst is how many values each goroutine puts, then gets, per
// operation of BenchmarkStdPoolOverflow.
const overflowBurst = 100

// BenchmarkStdPoolOverflow is sync's BenchmarkPoolOverflow: bursts of 100
// Puts then 100 Gets, more than a per-CPU cache of the default size holds.
func BenchmarkStdPoolOverflow(b *testing.B) {
	b.Run("impl=alloc", func(b *testing.B) {
		var p Pool
		runParallelShifted(b, func(pb *testing.PB) {
			for pb.Next() {
				for range overflowBurst {
					p.Put(1)
				}
				for range overflowBurst {
					p.Get()
				}
			}
		})
	})
	b.Run("impl=sync", func(b *testing.B) {
		var p sync.Pool
		runParallelShifted(b, func(pb *testing.PB) {
			for pb.Next() {
				for range overflowBurst {
					p.Put(1)
				}
				for range overflowBurst {
					p.Get()
				}
			}
		})
	})
	b.Run("impl=syncx", func(b *testing.B) {
		var p syncx.Pool
		runParallelShifted(b, func(pb *testing.PB) {
			for pb.Next() {
				for range overflowBurst {
					p.Put(1)
				}
				for range overflowBurst {
					p.Get()
				}
			}
		})
	})
}

// expensiveHeld is how many values each goroutine of
// BenchmarkStdPoolExpensiveNew holds at once, and expensiveGarbage the
// bytes of garbage it makes per Get.
const (
	expensiveHeld    = 100
	expensiveGarbage = 32 << 10
)

// expensiveSink is the ballast and garbage sink of BenchmarkStdPoolExpensiveNew.
var expensiveSink []byte

// BenchmarkStdPoolExpensiveNew is sync's BenchmarkPoolExpensiveNew: a New
// that takes a millisecond, 100 values held per goroutine and 32 KiB of
// garbage per Get, over an 8 MiB ballast. It reports the calls to New and
// the collections per operation: a pool that keeps its values through
// collections calls New less.
func BenchmarkStdPoolExpensiveNew(b *testing.B) {
	expensiveNew := func(n *atomic.Uint64) func() any {
		return func() any {
			n.Add(1)
			time.Sleep(time.Millisecond)
			return 42
		}
	}
	b.Run("impl=alloc", func(b *testing.B) {
		var news atomic.Uint64
		p := Pool{New: expensiveNew(&news)}
		reportExpensive(b, &news, func() {
			b.RunParallel(func(pb *testing.PB) {
				var items [expensiveHeld]any
				for pb.Next() {
					for i := range items {
						items[i] = p.Get()
						expensiveSink = make([]byte, expensiveGarbage)
					}
					for i, v := range items {
						p.Put(v)
						items[i] = nil
					}
				}
			})
		})
	})
	b.Run("impl=sync", func(b *testing.B) {
		var news atomic.Uint64
		p := sync.Pool{New: expensiveNew(&news)}
		reportExpensive(b, &news, func() {
			b.RunParallel(func(pb *testing.PB) {
				var items [expensiveHeld]any
				for pb.Next() {
					for i := range items {
						items[i] = p.Get()
						expensiveSink = make([]byte, expensiveGarbage)
					}
					for i, v := range items {
						p.Put(v)
						items[i] = nil
					}
				}
			})
		})
	})
	b.Run("impl=syncx", func(b *testing.B) {
		var news atomic.Uint64
		p := syncx.Pool{New: expensiveNew(&news)}
		reportExpensive(b, &news, func() {
			b.RunParallel(func(pb *testing.PB) {
				var items [expensiveHeld]any
				for pb.Next() {
					for i := range items {
						items[i] = p.Get()
						expensiveSink = make([]byte, expensiveGarbage)
					}
					for i, v := range items {
						p.Put(v)
						items[i] = nil
					}
				}
			})
		})
	})
}

// reportExpensive runs the benchmark over a ballast and reports New/op and
// GCs/op.
func reportExpensive(b *testing.B, news *atomic.Uint64, run func()) {
	expensiveSink = make([]byte, 8<<20) // a ballast, so the GC runs at a sane rate
	defer func() { expensiveSink = nil }()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	run()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.NumGC-before.NumGC)/float64(b.N), "GCs/op")
	b.ReportMetric(float64(news.Load())/float64(b.N), "New/op")
}
