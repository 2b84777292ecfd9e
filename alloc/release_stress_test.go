package alloc

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOwnershipStressRelease: workers Get, hold and Put tokens while another
// goroutine keeps releasing (draining, as the GC policy does an idle pool)
// the cache the workers are using, and GOMAXPROCS changes and the collector runs. No token
// may be held by two workers at once, and every token New made is accounted
// for at the end: released by a drain or dropped by a full depot, in
// exactly the caches it went into. A drain that missed a value (a fallback
// shard's private part, say) leaves the count short; one that took a value
// a worker also got shows up as a duplicate.
func TestOwnershipStressRelease(t *testing.T) {
	workers, iterations := 8*runtime.NumCPU()+8, 20000
	if testing.Short() || raceEnabled {
		iterations /= 20
	}
	const hold, minReleases = 8, 50
	var made atomic.Int64
	p := new(Pool)
	p.Get() // creates the cache
	p.New = func() any { made.Add(1); return new(token) }
	var dups atomic.Int64
	stop := make(chan struct{})
	var disturb sync.WaitGroup
	var gcs, flips, releases atomic.Int64
	for _, run := range []func(){
		func() { flipGOMAXPROCS(stop, &flips) },
		func() { collectUntil(stop, &gcs) },
		func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(300 * time.Microsecond):
				}
				p.c.Load().release()
				releases.Add(1)
			}
		},
	} {
		disturb.Add(1)
		go func() { defer disturb.Done(); run() }()
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			held := make([]*token, 0, hold)
			for i := 0; i < iterations || releases.Load() < minReleases && i < 20*iterations; i++ {
				if i%64 == 0 {
					runtime.Gosched()
				}
				if len(held) < hold && (len(held) == 0 || (i*(w+1))%3 != 0) {
					tk := p.Get().(*token)
					if !tk.holder.CompareAndSwap(0, int32(w+1)) {
						dups.Add(1)
					}
					held = append(held, tk)
					continue
				}
				tk := held[len(held)-1]
				held = held[:len(held)-1]
				tk.holder.Store(0)
				p.Put(tk)
			}
			for _, tk := range held {
				tk.holder.Store(0)
				p.Put(tk)
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	disturb.Wait()
	if d := dups.Load(); d > 0 {
		t.Fatalf("%d times a Get returned a token another goroutine held", d)
	}
	if releases.Load() == 0 {
		t.Fatal("no release ran while the workers did")
	}
	// What the workers put back after the last release is still cached.
	c := p.c.Load()
	c.release()
	gone := c.stats.released.Load() + c.stats.drops.Load()
	t.Logf("%d workers × %d operations, %d releases, %d GCs, %d GOMAXPROCS changes: %d made, %d released or dropped",
		workers, iterations, releases.Load(), gcs.Load(), flips.Load(), made.Load(), gone)
	if raceEnabled {
		return // race builds drop Puts on purpose, uncounted
	}
	if gone != made.Load() {
		t.Fatalf("New made %d tokens; drains released and depots dropped %d", made.Load(), gone)
	}
}
