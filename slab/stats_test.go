package slab

import (
	"encoding/json"
	"expvar"
	"fmt"
	"sync/atomic"
	"testing"
	"unsafe"
)

var publishSeq atomic.Int64

func TestStatsCountsAndBytes(t *testing.T) {
	a := newTest(t, Options{})
	skipIfProtect(t, a)
	st := a.Stats()
	if st.Mode == "" || len(st.Classes) != 0 || st.InUse != 0 || len(st.CPUs) == 0 {
		t.Fatalf("fresh Allocator: %+v", st)
	}
	objs := make([]unsafe.Pointer, 1000)
	for i := range objs {
		objs[i] = a.Alloc(100) // class 112
	}
	big := a.Alloc(1 << 20)
	st = a.Stats()
	cs := st.Classes[0]
	if len(st.Classes) != 1 || cs.Size != 112 {
		t.Fatalf("classes: %+v", st.Classes)
	}
	if cs.InUseObjects != 1000 || cs.InUseBytes != 112000 {
		t.Errorf("in use: %d objects, %d bytes; want 1000, 112000", cs.InUseObjects, cs.InUseBytes)
	}
	if cs.Misses == 0 || cs.Spans == 0 || cs.SpanBytes != cs.Spans*8192 {
		t.Errorf("class stats %+v", cs)
	}
	if st.LargeObjects != 1 || st.LargeBytes != 1<<20 || st.InUse != 112000+1<<20 {
		t.Errorf("large %d objects %d bytes, in use %d", st.LargeObjects, st.LargeBytes, st.InUse)
	}
	if st.Mapped < st.Resident || st.Resident < st.InUse {
		t.Errorf("mapped %d, resident %d, in use %d", st.Mapped, st.Resident, st.InUse)
	}
	var misses int64
	for _, c := range st.CPUs {
		misses += c.Misses
	}
	if misses != cs.Misses {
		t.Errorf("per-CPU misses sum to %d, class misses %d", misses, cs.Misses)
	}
	for _, p := range objs {
		a.Free(p)
	}
	a.Free(big)
	st = a.Stats()
	if st.InUse != 0 || st.Cached != st.Classes[0].CachedBytes || st.Cached == 0 {
		t.Errorf("after Free: in use %d, cached %d", st.InUse, st.Cached)
	}
}

func TestCountHits(t *testing.T) {
	a := newTest(t, Options{})
	skipIfProtect(t, a)
	a.CountHits(true)
	for i := 0; i < 100; i++ {
		a.Free(a.Alloc(24))
	}
	st := a.Stats()
	cs := st.Classes[0]
	if !st.CountingHits || cs.Hits+cs.Misses != 100 || cs.Hits == 0 {
		t.Errorf("counting %v: %d hits + %d misses, want 100 allocations", st.CountingHits, cs.Hits, cs.Misses)
	}
	a.CountHits(false)
	a.Free(a.Alloc(24))
	if st := a.Stats(); st.CountingHits || st.Classes[0].Hits != cs.Hits {
		t.Errorf("hits counted after CountHits(false): %d, was %d", st.Classes[0].Hits, cs.Hits)
	}
}

func TestPublishExpvar(t *testing.T) {
	a := newTest(t, Options{})
	p := a.Alloc(64)
	defer a.Free(p)
	name := fmt.Sprintf("slab.test.publish.%d", publishSeq.Add(1)) // -count and -cpu run the test again
	Publish(name, a.Stats)
	v := expvar.Get(name)
	if v == nil {
		t.Fatal("not published")
	}
	var got Stats
	if err := json.Unmarshal([]byte(v.String()), &got); err != nil {
		t.Fatalf("expvar value is not Stats JSON: %v\n%s", err, v.String())
	}
	if got.InUse != 64 || len(got.Classes) != 1 || got.Classes[0].Size != 64 {
		t.Errorf("published %+v", got)
	}
}
