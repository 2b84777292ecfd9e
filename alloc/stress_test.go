package alloc

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// token is a pooled value that knows who holds it: a Get must find it free
// and a Put frees it, so a value handed to two goroutines at once is seen.
type token struct {
	holder atomic.Int32
	_      [56]byte
}

type ownership struct {
	news, dups atomic.Int64
}

func (o *ownership) take(tk *token, w int) {
	if !tk.holder.CompareAndSwap(0, int32(w+1)) {
		o.dups.Add(1)
	}
}

// stress runs workers that Get, hold and Put tokens while GOMAXPROCS
// changes, the collector runs and signals fly, and asserts that no token is
// ever held by two workers.
func stress(t *testing.T, workers, iterations int) {
	var o ownership
	p := Pool{New: func() any { o.news.Add(1); return new(token) }}
	stop := make(chan struct{})
	var disturb sync.WaitGroup
	disturb.Add(3)
	go func() { defer disturb.Done(); flipGOMAXPROCS(stop) }()
	go func() { defer disturb.Done(); collectUntil(stop) }()
	go func() { defer disturb.Done(); signalStorm(stop) }()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			if w%4 == 0 {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
			}
			var held []*token
			for i := 0; i < iterations; i++ {
				if len(held) < 4 && (len(held) == 0 || i%3 != 0) {
					tk := p.Get().(*token)
					o.take(tk, w)
					held = append(held, tk)
					continue
				}
				tk := held[len(held)-1]
				held = held[:len(held)-1]
				tk.holder.Store(0)
				p.Put(tk)
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	disturb.Wait()
	if d := o.dups.Load(); d > 0 {
		t.Fatalf("%d tokens were handed to a goroutine while another held them", d)
	}
	t.Logf("%d workers × %d operations: %d News; stats %+v", workers, iterations, o.news.Load(), p.Stats())
}

func TestPoolOwnershipStress(t *testing.T) {
	iterations := 100000
	if testing.Short() || raceEnabled {
		iterations = 5000
	}
	stress(t, 8*runtime.NumCPU()+64, iterations)
}

// TestPoolOwnershipStressGC is the same with the collector running all
// the time; CI runs it under GODEBUG=gccheckmark=1,clobberfree=1.
func TestPoolOwnershipStressGC(t *testing.T) {
	iterations := 200000
	if testing.Short() || raceEnabled {
		iterations = 10000
	}
	stress(t, 4*runtime.NumCPU(), iterations)
}

func flipGOMAXPROCS(stop <-chan struct{}) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for n := 1; ; n = n%(4*runtime.NumCPU()) + 1 {
		select {
		case <-stop:
			return
		case <-time.After(time.Millisecond):
			runtime.GOMAXPROCS(n)
		}
	}
}

func collectUntil(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(200 * time.Microsecond):
			runtime.GC()
		}
	}
}

// signalStorm sends SIGURG (which the runtime tolerates at any rate) to
// every thread; each one aborts whatever section it lands in.
func signalStorm(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(50 * time.Microsecond):
			entries, _ := os.ReadDir("/proc/self/task")
			for _, e := range entries {
				if tid, err := strconv.Atoi(e.Name()); err == nil {
					signalThread(tid)
				}
			}
		}
	}
}
