package slab

import (
	"flag"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"unsafe"

	"github.com/gorseq/percpu/internal/stackshift"
)

// Benchmarks (they run only with -bench):
//
//	go test -run x -bench . -count 6 -cpu 1,2,8,32 ./slab/ | tee slab.bench
//	benchstat -col /impl slab.bench
//
// BenchmarkPair compares an Alloc+Free pair of a 64-byte record with the
// alternatives: new(T) under the default GC, sync.Pool, a mutex-protected
// free list; mode=serial is one goroutine, mode=parallel is b.RunParallel
// (GOMAXPROCS goroutines, set by -cpu). BenchmarkGCImpact holds a large
// live set of 64-byte records in the Go heap or in the slab and measures
// what a garbage collection costs with it.

// rec64 is the record of the benchmarks.
type rec64 [8]uint64

//go:noinline
func newRec() *rec64 { return new(rec64) }

// benchModes runs op serially and on b.RunParallel's goroutines, each
// stretch of the loop at another stack depth: where a loop's frames lie
// modulo 4 KiB moves its time by chance (package stackshift), so a run
// measures several offsets instead of the one its callers put it at.
func benchModes(b *testing.B, op func()) {
	b.Run("mode=serial", func(b *testing.B) {
		stackshift.Spread(b.N, 8, func(n int) {
			for range n {
				op()
			}
		})
	})
	b.Run("mode=parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			stackshift.On(stackshift.Next(), func() {
				for pb.Next() {
					op()
				}
			})
		})
	})
}

func BenchmarkPair(b *testing.B) {
	b.Run("impl=slab", func(b *testing.B) {
		a := newTest(b, Options{})
		benchModes(b, func() {
			p := a.Alloc(64)
			(*rec64)(p)[0]++
			a.Free(p)
		})
	})
	b.Run("impl=slabcache", func(b *testing.B) {
		c, err := NewCache[rec64](newTest(b, Options{}))
		if err != nil {
			b.Fatal(err)
		}
		benchModes(b, func() {
			r := c.New() // zeroed
			r[0]++
			c.Free(r)
		})
	})
	b.Run("impl=slabdebug", func(b *testing.B) {
		a := newTest(b, Options{Debug: DebugChecks})
		benchModes(b, func() {
			p := a.Alloc(64)
			(*rec64)(p)[0]++
			a.Free(p)
		})
	})
	b.Run("impl=new", func(b *testing.B) {
		benchModes(b, func() {
			r := newRec()
			r[0]++
		})
	})
	b.Run("impl=syncpool", func(b *testing.B) {
		p := sync.Pool{New: func() any { return new(rec64) }}
		benchModes(b, func() {
			r := p.Get().(*rec64)
			r[0]++
			p.Put(r)
		})
	})
	b.Run("impl=mutexlist", func(b *testing.B) {
		var l mutexList
		benchModes(b, func() {
			r := l.get()
			r[0]++
			l.put(r)
		})
	})
}

// BenchmarkProducerConsumer allocates on one goroutine and frees on
// another, in batches of 64 sent over a channel, so every object crosses
// CPUs: the producer's cache runs dry and the consumer's overflows, and the
// objects travel through the depot. ns/op is per object.
func BenchmarkProducerConsumer(b *testing.B) {
	run := func(b *testing.B, alloc func() unsafe.Pointer, free func(unsafe.Pointer)) {
		ch := make(chan []unsafe.Pointer, 4)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for batch := range ch {
				for _, p := range batch {
					free(p)
				}
			}
		}()
		for i := 0; i < b.N; i += 64 {
			batch := make([]unsafe.Pointer, 64)
			for j := range batch {
				batch[j] = alloc()
				(*rec64)(batch[j])[0]++
			}
			ch <- batch
		}
		close(ch)
		<-done
	}
	b.Run("impl=slab", func(b *testing.B) {
		a := newTest(b, Options{})
		run(b, func() unsafe.Pointer { return a.Alloc(64) }, a.Free)
	})
	b.Run("impl=new", func(b *testing.B) {
		run(b, func() unsafe.Pointer { return unsafe.Pointer(newRec()) }, func(unsafe.Pointer) {})
	})
	b.Run("impl=syncpool", func(b *testing.B) {
		p := sync.Pool{New: func() any { return new(rec64) }}
		run(b, func() unsafe.Pointer { return unsafe.Pointer(p.Get().(*rec64)) }, func(r unsafe.Pointer) { p.Put((*rec64)(r)) })
	})
}

// BenchmarkBurst allocates 64 records, then frees them, on every
// goroutine (mode=parallel) or one (mode=serial): a burst deeper than a
// class's starting limit of one batch, so the per-CPU limit must grow for
// the burst to stay in the CPU's cache. ns/op is per object (an Alloc and
// a Free).
func BenchmarkBurst(b *testing.B) {
	run := func(b *testing.B, alloc func() unsafe.Pointer, free func(unsafe.Pointer)) {
		b.Run("mode=serial", func(b *testing.B) {
			var br burster
			for b.Loop() {
				br.step(alloc, free)
			}
			br.end(free)
		})
		b.Run("mode=parallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				var br burster
				for pb.Next() {
					br.step(alloc, free)
				}
				br.end(free)
			})
		})
	}
	b.Run("impl=slab", func(b *testing.B) {
		a := newTest(b, Options{})
		run(b, func() unsafe.Pointer { return a.Alloc(64) }, a.Free)
	})
	b.Run("impl=syncpool", func(b *testing.B) {
		p := sync.Pool{New: func() any { return new(rec64) }}
		run(b, func() unsafe.Pointer { return unsafe.Pointer(p.Get().(*rec64)) }, func(r unsafe.Pointer) { p.Put((*rec64)(r)) })
	})
	b.Run("impl=mutexlist", func(b *testing.B) {
		var l mutexList
		run(b, func() unsafe.Pointer { return unsafe.Pointer(l.get()) }, func(r unsafe.Pointer) { l.put((*rec64)(r)) })
	})
}

// burster holds one goroutine's burst in BenchmarkBurst.
type burster struct {
	held [64]unsafe.Pointer
	n    int
}

// step allocates one record; the step that fills the burst frees it all.
func (br *burster) step(alloc func() unsafe.Pointer, free func(unsafe.Pointer)) {
	p := alloc()
	(*rec64)(p)[0]++
	br.held[br.n] = p
	if br.n++; br.n == len(br.held) {
		br.end(free)
	}
}

// end frees what the burst holds.
func (br *burster) end(free func(unsafe.Pointer)) {
	for _, p := range br.held[:br.n] {
		free(p)
	}
	br.n = 0
}

// mutexList is the simplest free list: a slice under a mutex.
type mutexList struct {
	mu   sync.Mutex
	free []*rec64
}

func (l *mutexList) get() *rec64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.free); n > 0 {
		r := l.free[n-1]
		l.free = l.free[:n-1]
		return r
	}
	return new(rec64)
}

func (l *mutexList) put(r *rec64) {
	l.mu.Lock()
	l.free = append(l.free, r)
	l.mu.Unlock()
}

var gcLiveMiB = flag.Int("slab.gclive", 256, "MiB of 64-byte records BenchmarkGCImpact keeps live")

// BenchmarkGCImpact holds -slab.gclive MiB of 64-byte records, in the Go
// heap (where=heap: a slice of pointers to them) or in the slab
// (where=slab: a slice of their addresses, which the GC does not scan),
// or nowhere (where=none, the baseline), and measures one forced garbage collection per op: ns/op is its wall
// time; gc-cpu-ms/op the GC's CPU time and pause-µs/op its stop-the-world
// pauses, both from runtime/metrics.
func BenchmarkGCImpact(b *testing.B) {
	n := *gcLiveMiB << 20 / 64
	b.Run("where=none", measureGC) // the baseline: no live set at all
	b.Run("where=heap", func(b *testing.B) {
		live := make([]*rec64, n)
		for i := range live {
			live[i] = new(rec64)
		}
		measureGC(b)
		runtime.KeepAlive(live)
	})
	b.Run("where=slab", func(b *testing.B) {
		a := newTest(b, Options{})
		live := make([]uintptr, n)
		for i := range live {
			p := a.Alloc(64)
			(*rec64)(p)[0] = uint64(i)
			live[i] = uintptr(p)
		}
		measureGC(b)
		for _, p := range live {
			a.Free(pointerAt(p))
		}
	})
}

// measureGC runs b.N forced collections and reports their CPU time and
// pauses from runtime/metrics.
func measureGC(b *testing.B) {
	runtime.GC()
	samples := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/sched/pauses/total/gc:seconds"}}
	metrics.Read(samples)
	cpu0, pause0 := samples[0].Value.Float64(), pauseSeconds(samples[1].Value.Float64Histogram())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
	}
	b.StopTimer()
	metrics.Read(samples)
	cpu, pause := samples[0].Value.Float64()-cpu0, pauseSeconds(samples[1].Value.Float64Histogram())-pause0
	b.ReportMetric(cpu*1e3/float64(b.N), "gc-cpu-ms/op")
	b.ReportMetric(pause*1e6/float64(b.N), "pause-µs/op")
}

// pauseSeconds sums a pause histogram, each pause at its bucket's lower
// bound (the buckets are narrow: a few percent).
func pauseSeconds(h *metrics.Float64Histogram) float64 {
	var sum float64
	for i, c := range h.Counts {
		if lo := h.Buckets[i]; c > 0 && lo > 0 {
			sum += float64(c) * lo
		}
	}
	return sum
}
