package main

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gorseq/percpu/internal/stackshift"
)

// shape is what a workload needs from a contender.
type shape int

const (
	shapePool    shape = iota // a Pool of *Item
	shapeBuffers              // a BufferPool
	shapeArena                // Arenas
	shapeCounter              // a Counter
	shapeLogger               // two Pools (entries, encoders) and a BufferPool
	shapeKV                   // KVShards
)

// A Target is what a workload drives: one contender, built for one cell
// (workload × contender × -cpu value), with the configuration of the run.
type Target struct {
	Procs    int          // GOMAXPROCS for the cell; most workloads run this many goroutines
	Pool     Pool         // for shapePool workloads, and the entries of shapeLogger
	Encoders Pool         // for shapeLogger workloads
	Buffers  BufferPool   // for shapeBuffers and shapeLogger workloads
	NewArena func() Arena // for shapeArena workloads: one arena per goroutine
	Counter  Counter      // for shapeCounter workloads
	Sizes    []int        // buffer sizes to replay (shapeBuffers)
	// NewKVShard makes one goroutine's part of a cache (shapeKV); KVLive is
	// the bytes of records the whole cache holds (-kvlive).
	NewKVShard func() KVShard
	KVLive     int64
	// Latencies gathers sampled request latencies, for workloads with
	// Latency set; the harness takes them after every timed run.
	Latencies *latencyRecorder
	// cleanups run at close, last first: what Prepare must undo.
	cleanups []func()
}

// atClose makes close call f: Prepare's way to free what it made or
// restore a setting it changed once the cell is done.
func (t *Target) atClose(f func()) { t.cleanups = append(t.cleanups, f) }

// A Workload is one way of using a pool. An operation is always one value's
// round trip — one Get and, sooner or later, one Put — so ns/op, allocs/op
// and the hit rate (1 - News/Gets) compare across workloads.
type Workload struct {
	Name  string // the -workload value
	Bench string // the benchmark name: BenchmarkBench/impl=…/cpu=…
	About string // one line for the usage message and the table
	Uses  shape
	// Default puts the workload in the set that runs without -workload.
	Default bool
	// GC marks a workload about the garbage collector: the table adds GC
	// CPU time per operation and the longest GC pause, and its cells run
	// one after another, each contender alone in the process, not in turns
	// with the others (runCells): the heap the collector paces itself by
	// and marks must be the cell's own.
	GC bool
	// GetsPerOp is the number of values one operation gets (and puts), for
	// the hit rate; 0 means 1.
	GetsPerOp int
	// NewDelay makes every value the contender makes cost that long (a
	// sleep in the function it makes values with): values expensive to
	// construct. Off-heap contenders, which make their records without that
	// function, do not run such a workload.
	NewDelay time.Duration
	// Latency marks a workload that serves requests and samples their
	// latencies into Target.Latencies: the table adds the GC's share of the
	// CPU and the median and 99th-percentile request latency.
	Latency bool
	// Columns are extra figures the table shows for the workload.
	Columns []column
	// Procs returns the GOMAXPROCS for a -cpu value; nil means the value
	// itself.
	Procs func(cpu int) int
	// Prepare readies t for the cell (untimed) and returns the timed body:
	// run(n) performs n operations and returns when every goroutine it
	// started has finished.
	Prepare func(t *Target) (run func(n int))
}

// workloads lists every workload, each defined in its own file
// (workload_NAME.go), in the order tables and -workload all show them.
var workloads = []*Workload{
	&pairWorkload,
	&burstWorkload,
	&prodConsWorkload,
	&oversubWorkload,
	&gcPressureWorkload,
	&liveSetWorkload,
	&arenaWorkload,
	&replayWorkload,
	&garbageWorkload,
	&overflowWorkload,
	&expensiveWorkload,
	&loggerWorkload,
	&counterWorkload,
	&kvWorkload,
	&kvMemLimitWorkload,
}

// lookupWorkload returns the workload named name, or nil.
func lookupWorkload(name string) *Workload {
	i := slices.IndexFunc(workloads, func(w *Workload) bool { return w.Name == name })
	if i < 0 {
		return nil
	}
	return workloads[i]
}

// workloadNames returns the names of all workloads, or of the default ones.
func workloadNames(onlyDefault bool) []string {
	var names []string
	for _, w := range workloads {
		if w.Default || !onlyDefault {
			names = append(names, w.Name)
		}
	}
	return names
}

// getsPerOp returns the number of values one operation gets.
func (w *Workload) getsPerOp() int { return max(1, w.GetsPerOp) }

// procsFor returns the GOMAXPROCS the workload runs at for a -cpu value.
func (w *Workload) procsFor(cpu int) int {
	if w.Procs == nil {
		return cpu
	}
	return w.Procs(cpu)
}

// parallel runs n operations on g goroutines, handing goroutine id its
// share of ops (the first n%g get one more), and waits for all of them.
// Static shares keep a shared counter out of the measured loop. Each
// goroutine works a different number of frames deep (package stackshift:
// where a loop's frames lie modulo 4 KiB moves its time by chance, so a
// cell's runs each measure a contender at another offset).
func parallel(g, n int, work func(id, ops int)) {
	shares(g, n, func(id, ops int) func() {
		levels := stackshift.Next()
		return func() { stackshift.On(levels, func() { work(id, ops) }) }
	})
}

// parallelSpread is parallel with each goroutine's share run in chunks
// stretches (stackshift.Spread), each at another stack depth, so that one
// run meets chunks offsets instead of one: for the tightest loop (pair),
// whose time at one depth can be half again its time at another, and
// whose cells, at a few runs of one depth each, then came out by chance
// (alloc's pair at -cpu 1 read 1.12–1.35× sync.Pool over three default
// runs where BenchmarkPairDepths puts it at 0.95×). work must accept its
// share in pieces: ops goroutine id's calls add up to its share.
func parallelSpread(g, n, chunks int, work func(id, ops int)) {
	shares(g, n, func(id, ops int) func() {
		return func() { stackshift.Spread(ops, chunks, func(m int) { work(id, m) }) }
	})
}

// shares starts g goroutines, the one with id running start(id, ops) with
// its share of n operations (the first n%g get one more; start is called
// before the goroutine is), and waits for all of them.
func shares(g, n int, start func(id, ops int) func()) {
	if g < 1 {
		panic(fmt.Sprintf("allocbench: %d goroutines", g))
	}
	var wg sync.WaitGroup
	for id := range g {
		ops := n / g
		if id < n%g {
			ops++
		}
		wg.Go(start(id, ops))
	}
	wg.Wait()
}
