package alloc

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/percpu/internal/stresstest"
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
	cfg := stressConfig{workers: 8*runtime.NumCPU() + 8, iterations: 20000, hold: 8}.scaled()
	const minReleases = 50
	var made atomic.Int64
	p := new(anyTokens)
	p.Get() // creates the cache
	p.New = func() any { made.Add(1); return new(token) }
	var ds stresstest.Disturbers
	flips := ds.Start(stresstest.FlipGOMAXPROCS(500 * time.Microsecond))
	gcs := ds.Start(stresstest.CollectGarbage(200*time.Microsecond, 0))
	releases := ds.Start(stresstest.Every("releases", 300*time.Microsecond, func() int {
		p.c.Load().release()
		return 1
	}))
	var led stresstest.Ledger
	enough := func() bool { return releases.Count() >= minReleases }
	stresstest.Workers(cfg.workers, nil, func(w int) {
		exchangeTokens(p, &led, w, cfg, 20, enough)
	})
	ds.Stop()
	led.Check(t)
	if releases.Count() == 0 {
		t.Fatal("no release ran while the workers did")
	}
	// What the workers put back after the last release is still cached.
	c := p.c.Load()
	c.release()
	gone := c.stats.released.Load() + c.stats.drops.Load()
	t.Logf("%d workers × %d operations, %d releases, %v, %v: %d made, %d released or dropped",
		cfg.workers, cfg.iterations, releases.Count(), gcs, flips, made.Load(), gone)
	if raceEnabled {
		return // race builds drop Puts on purpose, uncounted
	}
	if gone != made.Load() {
		t.Fatalf("New made %d tokens; drains released and depots dropped %d", made.Load(), gone)
	}
}
