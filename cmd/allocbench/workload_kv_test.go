package main

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
)

// The kv workloads run with a small live set for every contender that
// offers a KVShard, give sane figures, and leave the GC's settings as they
// found them.
func TestKVWorkloads(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(percent)

	var rep Report
	// 50ms: enough requests (tens of thousands) for collections under GOGC=100.
	out := mustRun(t, "-workload=kv,kv-memlimit", "-impl=new,slab,allocarena", "-benchtime=50ms", "-format=json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Header.KVLive != "8.0 MiB" {
		t.Errorf("header: kv live set %q, want 8.0 MiB", rep.Header.KVLive)
	}
	for _, name := range []string{"kv", "kv-memlimit"} {
		w := lookupWorkload(name)
		for _, impl := range []string{"new", "slab", "allocarena"} {
			for _, cpu := range []int{1, 2} {
				r := findResult(rep.Results, name, impl, cpu)
				if r == nil {
					t.Errorf("%s/%s/cpu=%d: no result", name, impl, cpu)
					continue
				}
				checkRun(t, w, lookupContender(impl), r)
				checkKVRun(t, r)
			}
		}
	}
	if p, l := debug.SetGCPercent(percent), debug.SetMemoryLimit(limit); p != percent || l != limit {
		t.Errorf("after the kv workloads: GOGC %d and memory limit %d, want %d and %d", p, l, percent, limit)
	}
}

// checkKVRun checks the figures of one kv result.
func checkKVRun(t *testing.T, r *Result) {
	t.Helper()
	run := r.Runs[0]
	cell := r.Workload + "/" + r.Impl
	switch {
	case run.LatencySamples < 1 || run.LatencySamples > uint64(run.Ops):
		t.Errorf("%s/cpu=%d: %d latency samples of %d requests", cell, r.CPU, run.LatencySamples, run.Ops)
	case !(run.P50Ns > 0 && run.P99Ns >= run.P50Ns):
		t.Errorf("%s/cpu=%d: p50 %v ns, p99 %v ns", cell, r.CPU, run.P50Ns, run.P99Ns)
	case runtime.GOOS != "windows" && run.CPUNsPerOp <= 0:
		t.Errorf("%s/cpu=%d: %v ns of CPU per request", cell, r.CPU, run.CPUNsPerOp)
	case run.GCCPUFraction < 0 || run.GCCPUFraction > 1:
		t.Errorf("%s/cpu=%d: GC CPU fraction %v", cell, r.CPU, run.GCCPUFraction)
	case run.GCs < 0 || (run.GCs == 0) != (run.GCCPUFraction == 0):
		t.Errorf("%s/cpu=%d: %d GCs, GC CPU fraction %v", cell, r.CPU, run.GCs, run.GCCPUFraction)
	}
	// Responses on the Go heap (new, slab) are about a record each, 960 B
	// on average: under GOGC=100 tens of thousands of them make collections.
	if r.Workload == "kv" && r.Impl != "allocarena" && run.Ops >= 100_000 && run.GCs == 0 {
		t.Errorf("%s/cpu=%d: no GC in %d requests", cell, r.CPU, run.Ops)
	}
	// allocarena builds responses in the arena: on the heap only the
	// written records (10% of requests, 960 B on average).
	if r.Impl == "allocarena" && run.BytesPerOp > 0.5*kvMeanRecord {
		t.Errorf("%s/cpu=%d: %v heap bytes per request", cell, r.CPU, run.BytesPerOp)
	}
}

// Every KVShard gives back what was written, byte for byte, after the
// record was replaced and after others were.
func TestKVRecordsRoundTrip(t *testing.T) {
	for _, c := range contenders {
		if c.NewKVShard == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			s := c.NewKVShard()
			defer s.close()
			const keys = 1000
			written := make(map[uint64][]byte)
			for version := range uint64(3) {
				for key := range uint64(keys) {
					if version > 0 && key%(version+1) != 0 {
						continue // replace some records, not all
					}
					body := s.Scratch.Bytes(kvRecordSize(key))
					writeKVRecord(body, key, version)
					s.Records.Set(key, body)
					written[key] = slices.Clone(body)
					s.Scratch.Free() // the store must hold a copy, not body
				}
			}
			for key := range uint64(keys) {
				got := s.Records.Lookup(key)
				if !bytes.Equal(got, written[key]) {
					t.Fatalf("key %d: read %d bytes (%x…), wrote %d (%x…)", key, len(got), got[:min(len(got), 16)], len(written[key]), written[key][:16])
				}
				if err := checkKVRecord(got, key); err != nil {
					t.Fatal(err)
				}
			}
			if s.Records.Lookup(keys) != nil {
				t.Errorf("key %d was never written, and Lookup found it", keys)
			}
			if off := s.Records.OffHeapBytes(); c.Name == "slab" && off < keys*kvMeanRecord || c.Name != "slab" && off != 0 {
				t.Errorf("%d bytes off the heap", off)
			}
		})
	}
}

// The kv workloads are outside the default set, and -h lists them.
func TestKVListed(t *testing.T) {
	for _, name := range []string{"kv", "kv-memlimit"} {
		if slices.Contains(workloadNames(true), name) {
			t.Errorf("%s is in the default set", name)
		}
	}
	_, _, stderr := runAllocbench(t, "-h")
	for _, line := range []string{`(?m)^    kv  +key-value cache`, `(?m)^    kv-memlimit  +kv with GOGC=off`, `-kvlive`} {
		if !regexp.MustCompile(line).MatchString(stderr) {
			t.Errorf("usage lacks %q:\n%s", line, stderr)
		}
	}
}

// A budget always leaves room for the records and a memory limit.
func TestKVMemoryBudget(t *testing.T) {
	for _, live := range []int64{kvMinLive, 8 << 20, 1 << 30, 4 << 30} {
		if b := kvMemoryBudget(live); b < live+live/2 || b > math.MaxInt64/2 {
			t.Errorf("kvMemoryBudget(%d) = %d", live, b)
		}
	}
}
