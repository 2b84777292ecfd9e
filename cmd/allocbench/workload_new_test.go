package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// recordingPool is a Pool that logs its calls ('G' for Get, 'P' for Put)
// and keeps track of the records out, for one goroutine.
type recordingPool struct {
	Pool
	calls  strings.Builder
	out    int // records got and not yet put
	maxOut int
}

func newRecordingPool() *recordingPool {
	var prov provenance
	return &recordingPool{Pool: newMutexPool(prov.newItem)}
}

func (r *recordingPool) Get() *Item {
	r.calls.WriteByte('G')
	r.out++
	r.maxOut = max(r.maxOut, r.out)
	return r.Pool.Get()
}

func (r *recordingPool) Put(x *Item) {
	r.calls.WriteByte('P')
	r.out--
	r.Pool.Put(x)
}

// runs returns the lengths of the runs of equal calls, as "G100 P100 …".
func (r *recordingPool) runs() string {
	s := r.calls.String()
	var out []string
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		out = append(out, fmt.Sprintf("%s%03d", s[i:i+1], j-i))
		i = j
	}
	return strings.Join(out, " ")
}

// overflow: 100 Gets first, then rounds of 100 Puts and 100 Gets, a last
// short round, and everything put back in the end: 250 of each.
func TestOverflowPattern(t *testing.T) {
	p := newRecordingPool()
	overflows(p, 250)
	want := "G100 P100 G100 P050 G050 P100"
	if got := p.runs(); got != want || p.out != 0 {
		t.Errorf("calls %s, %d records out; want %s, none out", got, p.out, want)
	}
}

// expensive: at most 100 records held at once, all put back.
func TestExpensiveHolds(t *testing.T) {
	p := newRecordingPool()
	holdExpensive(p, 250)
	want := "G100 P100 G100 P100 G050 P050"
	if got := p.runs(); got != want || p.out != 0 || p.maxOut != expensiveHeld {
		t.Errorf("calls %s, %d out, at most %d; want %s, none out, at most %d", got, p.out, p.maxOut, want, expensiveHeld)
	}
}

// The expensive workload makes values through a New that takes NewDelay,
// and off-heap contenders, which would not pay it, do not run it.
func TestExpensiveNew(t *testing.T) {
	var news counter
	tg := build(cell{&expensiveWorkload, lookupContender("new"), 1}, 1, nil, &news)
	start := time.Now()
	tg.Pool.Get()
	if d := time.Since(start); d < expensiveWorkload.NewDelay || news.load() != 1 {
		t.Errorf("a new value took %v (want at least %v), %d counted", d, expensiveWorkload.NewDelay, news.load())
	}
	// Prepare fills the pool (here one that keeps its values across GCs):
	// a round of the workload then makes nothing.
	var made counter
	run := expensiveWorkload.Prepare(build(cell{&expensiveWorkload, lookupContender("mutex"), 1}, 1, nil, &made))
	if n := made.load(); n != expensiveHeld {
		t.Errorf("Prepare made %d values, want %d", n, expensiveHeld)
	}
	run(expensiveHeld)
	if n := made.load(); n != expensiveHeld {
		t.Errorf("a round after Prepare made %d values", n-expensiveHeld)
	}
	if lookupContender("slab").runs(&expensiveWorkload) || !lookupContender("slab").runs(&pairWorkload) {
		t.Error("the off-heap slab runs the expensive workload, or not the pair workload")
	}
}

// garbage and expensive allocate their garbage (runtime.ReadMemStats
// flushes the per-P counts that runtime/metrics reads lazily), and the
// expensive table shows New/op and GCs/op.
func TestGarbageAllocates(t *testing.T) {
	for name, tc := range map[string]struct {
		run  func(Pool, int)
		want uint64
	}{
		"garbage":   {pairsWithGarbage, garbageBytes},
		"expensive": {holdExpensive, expensiveGarbage},
	} {
		const ops = 1000
		p := newRecordingPool()
		tc.run(p, ops) // the pool makes its records
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		tc.run(p, ops)
		runtime.ReadMemStats(&after)
		if b := (after.TotalAlloc - before.TotalAlloc) / ops; b < tc.want {
			t.Errorf("%s: %d B per round trip, want at least %d", name, b, tc.want)
		}
	}
	table := mustRun(t, "-workload=expensive", "-impl=syncpool", "-cpu=1")
	if !strings.Contains(table, "New/op") || !strings.Contains(table, "GCs/op") {
		t.Errorf("the expensive table lacks New/op or GCs/op:\n%s", table)
	}
}

// logger: each call gets an entry, an encoder and a buffer and puts all
// three back, and writes one line of JSON with the entry's and the call's
// fields.
func TestLoggerLine(t *testing.T) {
	entries, encoders := newRecordingPool(), newRecordingPool()
	var prov provenance
	buffers := &lineCatcher{BufferPool: makePool(prov.newBuffer)}
	l := jsonLogger{entries: entries, encoders: encoders, buffers: buffers}
	for i, wantFields := range []int{6, 10} {
		l.info(3, requestFields(i))
		if entries.calls.String() != strings.Repeat("GP", i+1) || encoders.calls.String() != strings.Repeat("GP", i+1) || buffers.gets != i+1 || buffers.puts != i+1 {
			t.Fatalf("call %d: entries %s, encoders %s, buffers %d got %d put", i, entries.calls.String(), encoders.calls.String(), buffers.gets, buffers.puts)
		}
		line := buffers.last
		if !strings.HasSuffix(line, "}\n") || strings.Count(line, "\n") != 1 {
			t.Fatalf("not one line: %q", line)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if len(m) != 3+wantFields || m["level"] != "info" || m["msg"] != `quoted "name" in message` || m["method"] != logMethods[i] {
			t.Errorf("line %q: keys %v", line, keys)
		}
	}
	if l.written == 0 {
		t.Error("the logger counted no bytes written")
	}
}

// lineCatcher is a BufferPool that keeps the last buffer put back.
type lineCatcher struct {
	BufferPool
	gets, puts int
	last       string
}

func (c *lineCatcher) GetBytes(n int) []byte { c.gets++; return c.BufferPool.GetBytes(n) }
func (c *lineCatcher) PutBytes(b []byte)     { c.puts++; c.last = string(b); c.BufferPool.PutBytes(b) }
