package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"
)

// A cell is one measured combination. impl is a contender run in this
// process; NAME/fallback contenders run in a child (see child.go).
type cell struct {
	workload *Workload
	impl     *Contender
	cpu      int
}

func (c cell) String() string {
	return fmt.Sprintf("%s/%s/cpu=%d", c.workload.Name, c.impl.Name, c.cpu)
}

// warmUpShare of -benchtime is spent warming up each cell before its
// measured runs.
const warmUpShare = 4

// maxOps bounds the operations of one run, as testing.B bounds b.N.
const maxOps = 1e9

// plan returns the cells to run in this process, workload by workload, then
// -cpu value, then contender, and the contenders to run in a fallback child
// (with sync.Pool, the fallback rows' reference, when this process runs it
// too). Combinations a contender has no shape for are left out.
func plan(cfg *config) (cells []cell, fallbacks []string) {
	for _, name := range cfg.impls {
		base, fallback := strings.CutSuffix(name, fallbackSuffix)
		c := lookupContender(base)
		for _, w := range cfg.workloads {
			switch {
			case !c.runs(w):
			case fallback:
				if !slices.Contains(fallbacks, base) {
					fallbacks = append(fallbacks, base)
				}
			default:
				for _, cpu := range cfg.cpus {
					cells = append(cells, cell{w, c, cpu})
				}
			}
		}
	}
	// The fallback rows' reference runs in their process (reference.go).
	if len(fallbacks) > 0 && slices.Contains(cfg.impls, referenceImpl) && !slices.Contains(fallbacks, referenceImpl) {
		fallbacks = append(fallbacks, referenceImpl)
	}
	slices.SortStableFunc(cells, func(a, b cell) int {
		return cmp.Or(
			cmp.Compare(slices.Index(cfg.workloads, a.workload), slices.Index(cfg.workloads, b.workload)),
			cmp.Compare(slices.Index(cfg.cpus, a.cpu), slices.Index(cfg.cpus, b.cpu)))
	})
	return cells, fallbacks
}

// runCells runs every cell and returns its result. Progress goes to
// progress, if not nil.
func runCells(cfg *config, cells []cell, progress io.Writer) ([]Result, error) {
	sizes, err := replaySizes(cfg.size)
	if err != nil {
		return nil, err
	}
	if progress != nil && len(cells) > 0 {
		perCell := cfg.benchtime*time.Duration(cfg.count) + 2*cfg.benchtime/warmUpShare
		fmt.Fprintf(progress, "allocbench: %d cells × (%d runs of %v + warm-up), about %v\n",
			len(cells), cfg.count, cfg.benchtime, (perCell * time.Duration(len(cells))).Round(time.Second))
	}
	var results []Result
	for i, c := range cells {
		start := time.Now()
		r := runCell(c, cfg, sizes)
		results = append(results, r)
		if progress != nil {
			fmt.Fprintf(progress, "[%d/%d] %-30s %10.1f ns/op  (%.1fs)\n",
				i+1, len(cells), c, r.median(nsPerOp), time.Since(start).Seconds())
		}
	}
	return results, nil
}

// replaySizes returns the buffer sizes the replay workload plays: the
// traces, or the one size -size asks for.
func replaySizes(size int) ([]int, error) {
	if size > 0 {
		return []int{size}, nil
	}
	return traceSizes()
}

// runCell warms a fresh instance of the contender up on the workload, then
// times cfg.count runs of the same number of operations, each after a GC.
func runCell(c cell, cfg *config, sizes []int) Result {
	procs := c.workload.procsFor(c.cpu)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))

	var news counter
	t := build(c, procs, sizes, &news)
	t.KVLive = cfg.kvLive
	defer t.close()
	run := c.workload.Prepare(t)

	perOp := warmUp(run, cfg.benchtime/warmUpShare)
	ops := int(min(maxOps, max(1, math.Ceil(float64(cfg.benchtime)/perOp))))
	m := newMeter()
	r := Result{Workload: c.workload.Name, Impl: c.impl.Name, CPU: c.cpu, GOMAXPROCS: procs}
	for range cfg.count {
		r.Runs = append(r.Runs, timeRun(run, ops, m, &news, t.Latencies))
	}
	return r
}

// build makes the target of a cell: a new instance of the contender in the
// shape the workload uses, making new values through functions that count.
func build(c cell, procs int, sizes []int, news *counter) *Target {
	newItem := func() *Item { news.add(); return new(Item) }
	if d := c.workload.NewDelay; d > 0 {
		newItem = func() *Item { news.add(); time.Sleep(d); return new(Item) }
	}
	newBuffer := func(n int) []byte { news.add(); return make([]byte, n) }
	t := &Target{Procs: procs, Sizes: sizes}
	switch c.workload.Uses {
	case shapePool:
		t.Pool = c.impl.NewPool(newItem)
	case shapeBuffers:
		t.Buffers = c.impl.NewBufferPool(newBuffer)
	case shapeArena:
		t.NewArena = func() Arena { return c.impl.NewArena(newItem) }
	case shapeCounter:
		t.Counter = c.impl.NewCounter()
	case shapeLogger:
		t.Pool = c.impl.NewPool(newItem)
		t.Encoders = c.impl.NewPool(newItem)
		t.Buffers = c.impl.NewBufferPool(newBuffer)
	case shapeKV:
		t.NewKVShard = c.impl.NewKVShard
	}
	if c.workload.Latency {
		t.Latencies = new(latencyRecorder)
	}
	return t
}

// close closes the target's pool, if it is a closer, and runs what Prepare
// asked for at close.
func (t *Target) close() {
	for _, p := range []any{t.Pool, t.Encoders, t.Buffers, t.Counter} {
		if c, ok := p.(closer); ok {
			c.Close()
		}
	}
	for _, f := range slices.Backward(t.cleanups) {
		f()
	}
}

// warmUp runs the workload with growing operation counts, as testing.B
// does, until one run lasts at least d, and returns that run's nanoseconds
// per operation. It fills the pool and the caches before the timed runs.
func warmUp(run func(n int), d time.Duration) float64 {
	n := 1
	for {
		start := time.Now()
		run(n)
		elapsed := time.Since(start)
		if elapsed >= d || n >= maxOps {
			return float64(elapsed) / float64(n)
		}
		// Aim 20% past d, growing at most 100× and at least by one.
		next := float64(n) * 1.2 * float64(d) / float64(max(elapsed, 1))
		n = max(n+1, int(min(next, 100*float64(n), maxOps)))
	}
}

// timeRun collects garbage, then times one run of ops operations and
// measures what it allocated and what the GC did meanwhile, and the
// latencies the workload sampled into lat, if not nil.
func timeRun(run func(n int), ops int, m *meter, news *counter, lat *latencyRecorder) Run {
	runtime.GC()
	if lat != nil {
		lat.take() // drop the warm-up's and the previous run's
	}
	before, newsBefore := m.read(), news.load()
	cpuBefore, start := processCPUTime(), time.Now()
	run(ops)
	elapsed, cpu := time.Since(start), processCPUTime()-cpuBefore
	u, newsMade := m.read().since(before), news.load()-newsBefore
	perOp := func(v float64) float64 { return v / float64(ops) }
	r := Run{
		Ops:          ops,
		NsPerOp:      perOp(float64(elapsed.Nanoseconds())),
		AllocsPerOp:  perOp(float64(u.objects)),
		BytesPerOp:   perOp(float64(u.bytes)),
		NewsPerOp:    perOp(float64(newsMade)),
		GCs:          int64(u.cycles),
		GCCPUNsPerOp: perOp(u.gcCPU * 1e9),
		GCPauseMaxNs: u.maxPause * 1e9,
		CPUNsPerOp:   perOp(float64(cpu.Nanoseconds())),
	}
	if u.cpu > 0 {
		r.GCCPUFraction = u.gcCPU / u.cpu
	}
	if lat != nil {
		l := lat.take()
		r.LatencySamples = l.samples()
		r.P50Ns, r.P99Ns = l.quantile(0.50), l.quantile(0.99)
	}
	return r
}
