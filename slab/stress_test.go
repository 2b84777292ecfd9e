package slab

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/gorseq/percpu/internal/stresstest"
)

// The stress tests follow the kernel's rseq param_test: many more
// goroutines and threads than CPUs, preemption, signal storms, GOMAXPROCS
// changes and Release running all along; the assertion is conservation.
// Every object carries an owner tag in its first word, set with a
// compare-and-swap when it is handed out and cleared when it is freed, so
// an object handed to two owners at once is caught at the second hand-out,
// and one that overlaps another is caught by its payload; at the end every
// object must be back in its span (none lost). The workers, the disturbers
// and the ledger's report are internal/stresstest's; the tags are this
// file's.

// Tags in an object's first word.
const (
	tagFree = 0xf4eef4eef4eef4ee // set by the owner just before Free
)

// isFreeTag reports whether a first word found at Alloc says "nobody owns
// this": fresh memory, a tag set before Free, or debug mode's poison.
func isFreeTag(v uint64) bool { return v == 0 || v == tagFree || v == poisonWord }

// stressSizes mixes the small classes, medium ones and (rarely) large.
var stressSizes = []uintptr{8, 16, 24, 48, 64, 100, 256, 500, 1024, 4096, 20000, 70000}

// ledger checks ownership through the tags, and records what it finds in
// a stresstest.Ledger.
type ledger struct {
	stresstest.Ledger
	allocs atomic.Int64
	frees  atomic.Int64
}

// take tags the newly allocated p as owner's and fills its payload.
func (l *ledger) take(p unsafe.Pointer, size uintptr, owner uint64) {
	l.allocs.Add(1)
	tag := (*uint64)(p)
	v := atomic.LoadUint64(tag)
	if !isFreeTag(v) || !atomic.CompareAndSwapUint64(tag, v, owner) {
		l.Fail("object %p handed to owner %#x while owner %#x holds it", p, owner, atomic.LoadUint64(tag))
		return
	}
	w := unsafe.Slice((*uint64)(p), size/8)
	for i := 1; i < len(w); i++ {
		w[i] = owner ^ uint64(i)
	}
}

// hand moves p from one owner to another, checking it is intact.
func (l *ledger) hand(p unsafe.Pointer, size uintptr, from, to uint64) {
	l.check(p, size, from)
	if !atomic.CompareAndSwapUint64((*uint64)(p), from, to) {
		l.Fail("object %p: hand-off from %#x found owner %#x", p, from, atomic.LoadUint64((*uint64)(p)))
	}
	w := unsafe.Slice((*uint64)(p), size/8)
	for i := 1; i < len(w); i++ {
		w[i] = to ^ uint64(i)
	}
}

// check verifies that p's payload is owner's.
func (l *ledger) check(p unsafe.Pointer, size uintptr, owner uint64) {
	w := unsafe.Slice((*uint64)(p), size/8)
	for i := 1; i < len(w); i++ {
		if w[i] != owner^uint64(i) {
			l.Fail("object %p (%d bytes) of owner %#x: word %d overwritten with %#x", p, size, owner, i, w[i])
			return
		}
	}
}

// give checks p is owner's, clears its tag and frees it.
func (l *ledger) give(a *Allocator, p unsafe.Pointer, size uintptr, owner uint64) {
	l.check(p, size, owner)
	if !atomic.CompareAndSwapUint64((*uint64)(p), owner, tagFree) {
		l.Fail("object %p freed by %#x but owned by %#x", p, owner, atomic.LoadUint64((*uint64)(p)))
	}
	l.frees.Add(1)
	a.Free(p)
}

// stressLoad describes one run.
type stressLoad struct {
	workers    int // goroutines allocating and freeing their own objects
	pairs      int // producer/consumer pairs: frees on other CPUs
	locked     int // of the workers, how many lock their OS thread
	iterations int
	signals    bool
	release    bool
	gomaxprocs bool // raise and flip GOMAXPROCS (oversubscription)
}

func defaultStressLoad() stressLoad {
	n := runtime.NumCPU()
	l := stressLoad{workers: 6 * n, pairs: 2 * n, locked: 2 * n, iterations: 20000}
	if testing.Short() || raceEnabled {
		l.iterations = 2000
	}
	return l
}

// run runs the load against a and checks conservation at the end.
func (l stressLoad) run(t *testing.T, a *Allocator) {
	t.Helper()
	var led ledger
	var ds stresstest.Disturbers
	if l.signals {
		ds.Start(stresstest.SignalStorm(50 * time.Microsecond))
	}
	if l.release {
		ds.Start(stresstest.Every("releases", 200*time.Microsecond, func() int { a.Release(); return 1 }))
	}
	if l.gomaxprocs {
		ds.Start(stresstest.FlipGOMAXPROCS(2*time.Millisecond, 1, 3, 4*runtime.NumCPU(), 2))
	}
	// Workers first, then each pair's producer and consumer.
	pairs := make([]chan liveObject, l.pairs)
	for p := range pairs {
		pairs[p] = make(chan liveObject, 64)
	}
	stresstest.Workers(l.workers+2*l.pairs, stresstest.LockFirst(l.locked, false), func(w int) {
		switch p := (w - l.workers) / 2; {
		case w < l.workers:
			l.work(a, &led, uint64(w+1)<<32)
		case (w-l.workers)%2 == 0:
			l.produce(a, &led, uint64(1<<20+p)<<32, pairs[p])
		default:
			l.consume(a, &led, uint64(1<<21+p)<<32, pairs[p])
		}
	})
	ds.Stop()
	led.Check(t)
	if led.allocs.Load() != led.frees.Load() {
		t.Fatalf("%d allocations, %d frees", led.allocs.Load(), led.frees.Load())
	}
	a.Release()
	assertAllHome(t, a)
	t.Logf("%d objects allocated and freed; %s; disturbances: %v", led.allocs.Load(), a.Stats().Mode, ds)
}

// work allocates a window of objects and frees them out of order.
func (l stressLoad) work(a *Allocator, led *ledger, owner uint64) {
	var window [16]liveObject
	stresstest.Repeat(l.iterations, func(i int) {
		j := i % len(window)
		if o := window[j]; o.p != nil {
			led.give(a, o.p, o.size, owner)
		}
		size := stressSizes[(i*7+int(owner>>32))%len(stressSizes)]
		if i%97 == 0 {
			size = 300 << 10 // a large object now and then
		}
		p := a.Alloc(size)
		led.take(p, size, owner)
		window[j] = liveObject{p: p, size: size}
	})
	for _, o := range window {
		if o.p != nil {
			led.give(a, o.p, o.size, owner)
		}
	}
}

// produce allocates objects and sends them to the consumer.
func (l stressLoad) produce(a *Allocator, led *ledger, owner uint64, ch chan<- liveObject) {
	defer close(ch)
	for i := 0; i < l.iterations; i++ {
		size := stressSizes[i%len(stressSizes)]
		p := a.Alloc(size)
		led.take(p, size, owner)
		ch <- liveObject{p: p, size: size, seed: owner}
	}
}

// consume takes the objects over and frees them, usually on another CPU.
func (l stressLoad) consume(a *Allocator, led *ledger, owner uint64, ch <-chan liveObject) {
	for o := range ch {
		led.hand(o.p, o.size, o.seed, owner)
		led.give(a, o.p, o.size, owner)
	}
}

func TestStressConservation(t *testing.T) {
	defaultStressLoad().run(t, newTest(t, Options{}))
}

func TestStressWithDisturbances(t *testing.T) {
	l := defaultStressLoad()
	l.signals, l.release, l.gomaxprocs = true, true, true
	l.run(t, newTest(t, Options{}))
}

// TestStressSmallBudget keeps the per-CPU limits moving: a budget this small
// makes classes steal from each other all the time.
func TestStressSmallBudget(t *testing.T) {
	l := defaultStressLoad()
	l.release = true
	l.run(t, newTest(t, Options{CacheBytesPerCPU: 48 << 10}))
}

func TestStressDebugMode(t *testing.T) {
	l := defaultStressLoad()
	l.iterations /= 2
	l.signals, l.release = true, true
	l.run(t, newTest(t, Options{Debug: DebugChecks}))
}
