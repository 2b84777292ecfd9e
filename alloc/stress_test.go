package alloc

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// The ownership stress test: workers Get tokens, hold a few, and Put them
// back, while GOMAXPROCS changes, signals interrupt every thread (each one
// aborts the section it lands in) and the collector runs. A token records
// its holder; a Get that finds a token already held means the pool handed
// one value to two goroutines at once.

// token is a pooled value that knows who holds it. It is 64 bytes, so that
// a Buffers slice of class 0 can be one.
type token struct {
	holder atomic.Int32
	_      [60]byte
}

// tokenPool adapts each pool type to the test.
type tokenPool interface {
	get() *token
	put(*token)
	stats() Stats
}

type (
	anyTokens   struct{ Pool }
	ptrTokens   struct{ PoolOf[*token] }
	boxedTokens struct{ PoolOf[boxedToken] }
	sliceTokens struct{ PoolOf[[]*token] }
	bufTokens   struct{ Buffers }
)

// boxedToken makes PoolOf use its boxed shape (more than two words, with a
// pointer), so boxes carry pointers through the collector.
type boxedToken struct {
	tk  *token
	pad [2]int
}

func (p *anyTokens) get() *token  { return p.Get().(*token) }
func (p *anyTokens) put(t *token) { p.Put(t) }
func (p *anyTokens) stats() Stats { return p.Stats() }

func (p *ptrTokens) get() *token  { return p.Get() }
func (p *ptrTokens) put(t *token) { p.Put(t) }
func (p *ptrTokens) stats() Stats { return p.Stats() }

func (p *boxedTokens) get() *token  { return p.Get().tk }
func (p *boxedTokens) put(t *token) { p.Put(boxedToken{tk: t}) }
func (p *boxedTokens) stats() Stats { return p.Stats() }

func (p *sliceTokens) get() *token  { return p.Get()[0] }
func (p *sliceTokens) put(t *token) { p.Put([]*token{t}) }
func (p *sliceTokens) stats() Stats { return p.Stats() }

func (p *bufTokens) get() *token  { return (*token)(unsafe.Pointer(&p.Get(64)[0])) }
func (p *bufTokens) put(t *token) { p.Put(unsafe.Slice((*byte)(unsafe.Pointer(t)), 64)) }
func (p *bufTokens) stats() Stats { return p.Stats() }

// tokenPools returns a fresh pool of every kind, with small limits so that
// values move through the depot and get dropped.
func tokenPools() map[string]tokenPool {
	newToken := func() *token { return new(token) }
	pools := map[string]tokenPool{
		"Pool":           &anyTokens{Pool{New: func() any { return newToken() }, PerCPU: 8, Depot: 64}},
		"PoolOf/pointer": &ptrTokens{PoolOf[*token]{New: newToken, PerCPU: 8, Depot: 64}},
		"PoolOf/boxed":   &boxedTokens{PoolOf[boxedToken]{New: func() boxedToken { return boxedToken{tk: newToken()} }, PerCPU: 8}},
		"PoolOf/slice":   &sliceTokens{PoolOf[[]*token]{New: func() []*token { return []*token{newToken()} }}},
		"Buffers":        &bufTokens{Buffers{PerCPU: 4, Depot: 32}},
	}
	return pools
}

type stressConfig struct {
	workers    int // goroutines doing Get and Put
	iterations int // operations per worker, at least
	hold       int // tokens a worker holds at most
	garbage    int // bytes of garbage a worker allocates after each Get
}

// Workers go on past their iterations, up to ten times as many, until the
// disturbers have done at least this much.
const (
	minGCs     = 20
	minFlips   = 20
	minSignals = 200
)

func (c stressConfig) scaled() stressConfig {
	if testing.Short() || raceEnabled {
		c.iterations /= 20
	}
	return c
}

func TestOwnershipStress(t *testing.T) {
	cfg := stressConfig{workers: 16*runtime.NumCPU() + 32, iterations: 20000, hold: 12}.scaled()
	for name, p := range tokenPools() {
		t.Run(name, func(t *testing.T) { stress(t, p, cfg) })
	}
}

// TestOwnershipStressGC is the same with fewer workers, so that collections
// come more often per operation; CI runs it under
// GODEBUG=gccheckmark=1,clobberfree=1.
func TestOwnershipStressGC(t *testing.T) {
	cfg := stressConfig{workers: 4 * runtime.NumCPU(), iterations: 20000, hold: 12}.scaled()
	for name, p := range tokenPools() {
		t.Run(name, func(t *testing.T) { stress(t, p, cfg) })
	}
}

// garbageSinks makes the workers' garbage escape to the heap.
var garbageSinks atomic.Pointer[[]byte]

func stress(t *testing.T, p tokenPool, cfg stressConfig) {
	var dups atomic.Int64
	stop := make(chan struct{})
	var disturb sync.WaitGroup
	var gcs, flips, signals atomic.Int64
	for _, d := range []struct {
		run   func(stop <-chan struct{}, count *atomic.Int64)
		count *atomic.Int64
	}{{flipGOMAXPROCS, &flips}, {collectUntil, &gcs}, {signalStorm, &signals}} {
		disturb.Add(1)
		go func() { defer disturb.Done(); d.run(stop, d.count) }()
	}
	enough := func() bool {
		return gcs.Load() >= minGCs && flips.Load() >= minFlips && signals.Load() >= minSignals
	}
	var wg sync.WaitGroup
	for w := 0; w < cfg.workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			if w%4 == 0 { // some workers own their thread
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
			}
			held := make([]*token, 0, cfg.hold)
			var garbage []byte // escapes: each worker's garbage is a real heap allocation
			defer func() { garbageSinks.Store(&garbage) }()
			for i := 0; i < cfg.iterations || !enough() && i < 10*cfg.iterations; i++ {
				if i%64 == 0 {
					runtime.Gosched() // let the disturbers run, even at GOMAXPROCS=1
				}
				if len(held) < cfg.hold && (len(held) == 0 || (i*(w+1))%3 != 0) {
					tk := p.get()
					if !tk.holder.CompareAndSwap(0, int32(w+1)) {
						dups.Add(1)
					}
					if cfg.garbage > 0 {
						garbage = make([]byte, cfg.garbage)
					}
					held = append(held, tk)
					continue
				}
				tk := held[len(held)-1]
				held = held[:len(held)-1]
				tk.holder.Store(0)
				p.put(tk)
			}
			for _, tk := range held {
				tk.holder.Store(0)
				p.put(tk)
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	disturb.Wait()
	if d := dups.Load(); d > 0 {
		t.Fatalf("%d times a Get returned a token another goroutine held", d)
	}
	t.Logf("%d workers × %d operations, %d GCs, %d GOMAXPROCS changes, %d signals; stats %+v",
		cfg.workers, cfg.iterations, gcs.Load(), flips.Load(), signals.Load(), p.stats())
}

// flipGOMAXPROCS cycles GOMAXPROCS from 1 to 4×NumCPU (oversubscribed).
func flipGOMAXPROCS(stop <-chan struct{}, count *atomic.Int64) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for n := 1; ; n = n%(4*runtime.NumCPU()) + 1 {
		select {
		case <-stop:
			return
		case <-time.After(500 * time.Microsecond):
			runtime.GOMAXPROCS(n)
			count.Add(1)
		}
	}
}

func collectUntil(stop <-chan struct{}, count *atomic.Int64) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(200 * time.Microsecond):
			runtime.GC()
			count.Add(1)
		}
	}
}

// signalStorm sends SIGURG (which the runtime tolerates at any rate) to
// every thread of the process.
func signalStorm(stop <-chan struct{}, count *atomic.Int64) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(50 * time.Microsecond):
			entries, _ := os.ReadDir("/proc/self/task")
			for _, e := range entries {
				if tid, err := strconv.Atoi(e.Name()); err == nil {
					signalThread(tid)
					count.Add(1)
				}
			}
		}
	}
}
