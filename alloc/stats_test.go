package alloc

import (
	"encoding/json"
	"expvar"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestCountHits(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose")
	}
	p := Pool{New: func() any { return new(item) }}
	var other Pool
	other.Put(new(item))
	p.Put(p.Get())
	p.CountHits(true)
	const gets = 1000
	for range gets {
		p.Put(p.Get())
		other.Put(other.Get())
	}
	s := p.Stats()
	if !s.CountingHits || s.Hits+s.Misses-1 != gets || s.Hits < gets-10 {
		t.Fatalf("stats %+v after %d Gets with hits counted", s, gets)
	}
	if s := other.Stats(); s.CountingHits || s.Hits != 0 {
		t.Fatalf("another pool's stats %+v: hits counted there too", s)
	}
	p.CountHits(false)
	for range gets {
		p.Put(p.Get())
	}
	if after := p.Stats(); after.CountingHits || after.Hits > s.Hits+2 {
		t.Fatalf("stats %+v: hits counted with counting off (%d before)", after, s.Hits)
	}
}

func TestStatsDepotTraffic(t *testing.T) {
	var p PoolOf[*item]
	p.PerCPU, p.Depot = 4, 32
	items := make([]*item, 64)
	for i := range items {
		items[i] = new(item)
	}
	for _, it := range items {
		p.Put(it)
	}
	s := p.Stats()
	if s.DepotIn == 0 || s.Drops == 0 || s.Cached > 4*int64(len(items)) {
		t.Fatalf("64 Puts into 4 per CPU and 32 in the depot: stats %+v", s)
	}
	for range items {
		p.Get()
	}
	if s := p.Stats(); s.DepotOut == 0 {
		t.Fatalf("64 Gets after a move to the depot: stats %+v, want batches out of the depot", s)
	}
}

// publishSeq makes TestPublish's expvar names unique: expvar panics on a
// name published twice.
var publishSeq atomic.Int64

func TestPublish(t *testing.T) {
	var p Pool
	p.Put(new(item))
	name := fmt.Sprintf("alloc_test_pool_%d", publishSeq.Add(1)) // -count and -cpu run the test again
	Publish(name, p.Stats)
	var s Stats
	if err := json.Unmarshal([]byte(expvar.Get(name).String()), &s); err != nil {
		t.Fatal(err)
	}
	if s.Cached != p.Stats().Cached {
		t.Fatalf("expvar shows %+v, the pool %+v", s, p.Stats())
	}
}
