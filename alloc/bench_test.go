package alloc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bytedance/gopkg/lang/syncx"

	"github.com/gorseq/percpu/internal/stackshift"
)

// Compare with sync.Pool:
//
//	go test -run x -bench . -count 6 -cpu 1,2,8,32 ./alloc/ > alloc.bench
//	benchstat -col /impl alloc.bench
//
// Every benchmark has an impl=alloc and an impl=sync (or impl=new) variant,
// the pool benchmarks an impl=syncx too (ByteDance's syncx.Pool),
// and, where it makes sense, mode=serial (one goroutine) and mode=parallel
// (b.RunParallel, GOMAXPROCS goroutines), each spread over stack depths
// (benchModesIndexed, runParallelShifted).

type item struct{ _ [64]byte }

func BenchmarkPool(b *testing.B) {
	b.Run("impl=alloc", func(b *testing.B) {
		p := Pool{New: func() any { return new(item) }}
		benchModes(b, func() { p.Put(p.Get()) })
	})
	b.Run("impl=sync", func(b *testing.B) {
		p := sync.Pool{New: func() any { return new(item) }}
		benchModes(b, func() { p.Put(p.Get()) })
	})
	b.Run("impl=syncx", func(b *testing.B) {
		p := syncx.Pool{New: func() any { return new(item) }}
		benchModes(b, func() { p.Put(p.Get()) })
	})
}

// BenchmarkPoolShortLived makes a pool, uses it for four Get+Put pairs of
// one value and drops it, as a pool per connection or per request does:
// what a pool costs to start and to be collected. An alloc.Pool serves
// such a pool from its seed (seed.go); before the seed, every pool built
// its per-CPU machinery at its first call.
func BenchmarkPoolShortLived(b *testing.B) {
	newItem := func() any { return new(item) }
	for _, impl := range []struct {
		name string
		make func() anyPool
	}{
		{"alloc", func() anyPool { return &Pool{New: newItem} }},
		{"sync", func() anyPool { return &sync.Pool{New: newItem} }},
		{"syncx", func() anyPool { return &syncx.Pool{New: newItem} }},
	} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p := impl.make()
				for range 4 {
					p.Put(p.Get())
				}
				shortLivedSink = p
			}
		})
	}
}

// anyPool is the API that Pool shares with sync.Pool and syncx.Pool.
type anyPool interface {
	Get() any
	Put(any)
}

// shortLivedSink keeps the last short-lived pool, as a connection keeps
// its pool until it closes (written by one goroutine at a time).
var shortLivedSink anyPool

func BenchmarkPoolOf(b *testing.B) {
	b.Run("type=pointer/impl=alloc", func(b *testing.B) {
		p := PoolOf[*item]{New: func() *item { return new(item) }}
		benchModes(b, func() { p.Put(p.Get()) })
	})
	b.Run("type=pointer/impl=sync", func(b *testing.B) {
		p := sync.Pool{New: func() any { return new(item) }}
		benchModes(b, func() { p.Put(p.Get().(*item)) })
	})
	b.Run("type=pointer/impl=syncx", func(b *testing.B) {
		p := syncx.Pool{New: func() any { return new(item) }}
		benchModes(b, func() { p.Put(p.Get().(*item)) })
	})
	// sync.Pool boxes a []byte on every Put (staticcheck SA6002).
	b.Run("type=slice/impl=alloc", func(b *testing.B) {
		p := PoolOf[[]byte]{New: func() []byte { return make([]byte, 64) }}
		benchModes(b, func() { p.Put(p.Get()) })
	})
	b.Run("type=slice/impl=sync", func(b *testing.B) {
		p := sync.Pool{New: func() any { return make([]byte, 64) }}
		benchModes(b, func() { p.Put(p.Get().([]byte)) })
	})
	// A number: inline in the pool; sync.Pool boxes every one above 255.
	b.Run("type=inline/impl=alloc", func(b *testing.B) {
		p := PoolOf[int64]{New: func() int64 { return 1000 }}
		benchModes(b, func() { p.Put(p.Get() + 1) })
	})
	b.Run("type=inline/impl=sync", func(b *testing.B) {
		p := sync.Pool{New: func() any { return int64(1000) }}
		benchModes(b, func() { p.Put(p.Get().(int64) + 1) })
	})
	// An interface value, kept as its two words.
	b.Run("type=interface/impl=alloc", func(b *testing.B) {
		p := PoolOf[any]{New: func() any { return new(item) }}
		benchModes(b, func() { p.Put(p.Get()) })
	})
	type record struct {
		name string
		n    [4]int64
	}
	b.Run("type=boxed/impl=alloc", func(b *testing.B) {
		var p PoolOf[record]
		benchModes(b, func() { r := p.Get(); r.n[0]++; p.Put(r) })
	})
	b.Run("type=boxed/impl=sync", func(b *testing.B) {
		p := sync.Pool{New: func() any { return new(record) }}
		benchModes(b, func() { r := p.Get().(*record); r.n[0]++; p.Put(r) })
	})
}

// bufferSizes is the request mix of the byte-buffer benchmark: small and
// medium requests, as an HTTP server might see.
var bufferSizes = [...]int{100, 1000, 4000, 300, 16000, 1500, 64, 8000}

func BenchmarkBuffers(b *testing.B) {
	b.Run("impl=alloc", func(b *testing.B) {
		var p Buffers
		benchModesIndexed(b, func(i int) {
			buf := p.Get(bufferSizes[i%len(bufferSizes)])
			buf[0] = 1
			p.Put(buf)
		})
	})
	b.Run("impl=sync", func(b *testing.B) {
		var p syncBuffers
		benchModesIndexed(b, func(i int) {
			buf := p.get(bufferSizes[i%len(bufferSizes)])
			(*buf)[0] = 1
			p.put(buf)
		})
	})
}

// BenchmarkBuffersWindow is allocbench's replay shape: every goroutine
// keeps its last bufferWindow buffers in use, putting the oldest back as
// it gets a new one, so a CPU's stack of a class rises and falls by up to
// the window and values pass between CPUs as goroutines move.
func BenchmarkBuffersWindow(b *testing.B) {
	b.Run("impl=alloc", func(b *testing.B) {
		var p Buffers
		benchWindow(b, func(n int) []byte { return p.Get(n) }, p.Put)
		st := p.Stats() // the depot's traffic: what the timings here are too noisy to show
		b.ReportMetric(float64(st.DepotIn+st.DepotOut)/float64(b.N), "depot-moves/op")
	})
	b.Run("impl=sync", func(b *testing.B) {
		var p syncBuffers
		benchWindow(b, func(n int) *[]byte { return p.get(n) }, p.put)
	})
}

// BenchmarkBuffersBurst takes burstDepth buffers of one size on every
// goroutine, then puts them all back: a handler that fans out, or a batch
// encoder. Each class's stack on a CPU must grow to hold a burst, or the
// depot takes the rest (depot-moves/op). ns/op is per buffer (a Get and a
// Put).
func BenchmarkBuffersBurst(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10} {
		b.Run(fmt.Sprintf("size=%d/impl=alloc", size), func(b *testing.B) {
			var p Buffers
			benchBurst(b, func() []byte { return p.Get(size) }, p.Put)
			st := p.Stats()
			b.ReportMetric(float64(st.DepotIn+st.DepotOut)/float64(b.N), "depot-moves/op")
		})
		b.Run(fmt.Sprintf("size=%d/impl=sync", size), func(b *testing.B) {
			var p syncBuffers
			benchBurst(b, func() *[]byte { return p.get(size) }, p.put)
		})
	}
}

// burstDepth is how many buffers a goroutine of BenchmarkBuffersBurst holds
// at its peak.
const burstDepth = 64

func benchBurst[B any](b *testing.B, get func() B, put func(B)) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var held [burstDepth]B
		for {
			n := 0
			for ; n < burstDepth && pb.Next(); n++ {
				held[n] = get()
			}
			for i := range n {
				put(held[i])
			}
			if n < burstDepth {
				return
			}
		}
	})
}

// bufferWindow buffers are in use at once on each goroutine.
const bufferWindow = 8

// windowSizes are the sizes BenchmarkBuffersWindow asks for: 1,000 of them,
// log-uniform from 64 B to 64 KiB, the same in every run. (Cycling through
// bufferWindow sizes would put back the size just asked for, every time.)
var windowSizes = func() []int {
	r := rand.New(rand.NewPCG(1, 2))
	sizes := make([]int, 1000)
	for j := range sizes {
		sizes[j] = int(math.Exp2(6 + 10*r.Float64()))
	}
	return sizes
}()

func benchWindow[B any](b *testing.B, get func(n int) B, put func(B)) {
	b.ReportAllocs()
	var goroutines atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		var window [bufferWindow]B
		var held [bufferWindow]bool
		start := int(goroutines.Add(1)) * 397 // each goroutine its own part of the sizes
		for i := start; pb.Next(); i++ {
			j := (i - start) % bufferWindow
			if held[j] {
				put(window[j])
			}
			window[j], held[j] = get(windowSizes[i%len(windowSizes)]), true
		}
		for j := range window {
			if held[j] {
				put(window[j])
			}
		}
	})
}

// syncBuffers is the usual idiom Buffers replaces: a sync.Pool of *[]byte
// per size class.
type syncBuffers struct{ classes [15]sync.Pool }

func (s *syncBuffers) get(n int) *[]byte {
	k := classOf(n)
	if p, ok := s.classes[k].Get().(*[]byte); ok {
		*p = (*p)[:n]
		return p
	}
	buf := make([]byte, n, classSize(k))
	return &buf
}

func (s *syncBuffers) put(p *[]byte) { s.classes[classOf(cap(*p))].Put(p) }

func benchModes(b *testing.B, op func()) {
	benchModesIndexed(b, func(int) { op() })
}

// shiftedChunks is how many stack depths a serial benchmark's run spreads
// its iterations over.
const shiftedChunks = 8

// runParallelShifted is b.RunParallel with each goroutine's body run at
// another stack depth (see benchModesIndexed).
func runParallelShifted(b *testing.B, body func(pb *testing.PB)) {
	b.RunParallel(func(pb *testing.PB) {
		stackshift.On(stackshift.Next(), func() { body(pb) })
	})
}

func benchModesIndexed(b *testing.B, op func(i int)) {
	b.Run("mode=serial", func(b *testing.B) {
		b.ReportAllocs()
		// In shiftedChunks stretches at different stack depths: where a
		// loop's frames lie modulo 4 KiB moves its time by chance (package
		// stackshift), so a run measures the mean over several offsets
		// instead of the one its callers put it at.
		i := 0
		stackshift.Spread(b.N, shiftedChunks, func(m int) {
			for j := range m {
				op(i + j)
			}
			i += m
		})
	})
	b.Run("mode=parallel", func(b *testing.B) {
		b.ReportAllocs()
		runParallelShifted(b, func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				op(i)
			}
		})
	})
}

// requestValues is what one request of the arena benchmark allocates.
const requestValues = 1000

// sink keeps a request's values reachable until the next request, as a
// handler's data structures would be, so that new(point) must use the heap.
var sink [requestValues]*point

func BenchmarkArena(b *testing.B) {
	b.Run("impl=arena", func(b *testing.B) {
		benchModes(b, func() {
			var a Arena
			var local [requestValues]*point
			for i := range local {
				p := New[point](&a)
				p.ID = int32(i)
				local[i] = p
			}
			a.Free()
		})
	})
	b.Run("impl=new", func(b *testing.B) {
		// new + GC: the collector's share shows up as it runs during the
		// benchmark.
		benchModes(b, func() {
			var local [requestValues]*point
			for i := range local {
				p := new(point)
				p.ID = int32(i)
				local[i] = p
			}
			sink = local
		})
	})
}

// BenchmarkArenaLifecycle is the fixed cost of an arena: one value, so one
// chunk taken from the slab's per-CPU cache and given back.
func BenchmarkArenaLifecycle(b *testing.B) {
	benchModes(b, func() {
		var a Arena
		New[int64](&a)
		a.Free()
	})
}

// garbageSizes are the bytes of garbage BenchmarkPoolGarbage allocates
// between a Get and its Put: none, a small object, a page. The more garbage,
// the more of the time the collector is marking, and the more Gets and
// Puts run while it does.
var garbageSizes = [...]int{0, 256, 4096}

// garbage keeps each operation's garbage reachable until the next, through
// a heap store, so that the compiler cannot put it on the stack.
var garbage []byte

// BenchmarkPoolGarbage is the loop pools exist for: Get, allocate, Put. It
// reports New/op, the share of Gets that found nothing and made a value: a
// Get that leaves the per-CPU path while the collector marks shows up here
// even where its nanoseconds drown in the collector's.
func BenchmarkPoolGarbage(b *testing.B) {
	for _, n := range garbageSizes {
		b.Run(fmt.Sprintf("garbage=%d/impl=alloc", n), func(b *testing.B) {
			var news atomic.Int64
			p := Pool{New: func() any { news.Add(1); return new(item) }}
			benchModesNews(b, &news, func() { x := p.Get(); garbageOf(n); p.Put(x) })
		})
		b.Run(fmt.Sprintf("garbage=%d/impl=allocof", n), func(b *testing.B) {
			var news atomic.Int64
			p := PoolOf[*item]{New: func() *item { news.Add(1); return new(item) }}
			benchModesNews(b, &news, func() { x := p.Get(); garbageOf(n); p.Put(x) })
		})
		b.Run(fmt.Sprintf("garbage=%d/impl=sync", n), func(b *testing.B) {
			var news atomic.Int64
			p := sync.Pool{New: func() any { news.Add(1); return new(item) }}
			benchModesNews(b, &news, func() { x := p.Get(); garbageOf(n); p.Put(x) })
		})
	}
}

// benchModesNews is benchModes, reporting New/op: the calls to New that
// news counts, per operation of each run.
func benchModesNews(b *testing.B, news *atomic.Int64, op func()) {
	b.Run("mode=serial", func(b *testing.B) {
		b.ReportAllocs()
		before := news.Load()
		stackshift.Spread(b.N, shiftedChunks, func(m int) {
			for range m {
				op()
			}
		})
		b.ReportMetric(float64(news.Load()-before)/float64(b.N), "New/op")
	})
	b.Run("mode=parallel", func(b *testing.B) {
		b.ReportAllocs()
		before := news.Load()
		runParallelShifted(b, func(pb *testing.PB) {
			for pb.Next() {
				op()
			}
		})
		b.ReportMetric(float64(news.Load()-before)/float64(b.N), "New/op")
	})
}

func garbageOf(n int) {
	if n > 0 {
		garbage = make([]byte, n)
	}
}

// BenchmarkGCHook is the GC hook's cost (afterGC, which runs once per
// cycle) with many pools registered, each used once: the hook visits every
// cache, and what it does per cache is paid that many times every cycle.
func BenchmarkGCHook(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("pools=%d", n), func(b *testing.B) {
			pools := make([]*Pool, n)
			for i := range pools {
				pools[i] = new(Pool)
				pools[i].Put(new(item))
			}
			b.ReportAllocs()
			for b.Loop() {
				afterGC()
			}
			runtime.KeepAlive(pools)
		})
	}
}
