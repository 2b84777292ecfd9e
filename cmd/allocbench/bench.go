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
// progress, if not nil (announce says what the whole run will take).
//
// The contenders of one workload at one -cpu value take turns: each is
// built and warmed up, then every round times one run of each, starting
// with a different contender each round. A machine whose speed drifts (a
// shared host, frequency scaling, a noisy neighbour) then slows every
// contender of the comparison alike, where runs back to back would hand
// the slow stretch to whichever contender it fell on. GC workloads take
// turns too, but each timed run has a target of its own, built, warmed up
// and closed alone (runGCInTurns): the others' targets, alive while they
// wait, would be part of the heap the collector paces itself by and marks
// (an 8 MiB ballast each, in expensive, made it collect a third as often).
func runCells(cfg *config, cells []cell, progress io.Writer) ([]Result, error) {
	sizes, err := replaySizes(cfg.size)
	if err != nil {
		return nil, err
	}
	var results []Result
	for _, group := range comparisons(cells) {
		start := time.Now()
		var rs []Result
		if group[0].workload.GC {
			rs = runGCInTurns(group, cfg, sizes)
		} else {
			rs = runInTurns(group, cfg, sizes)
		}
		for i, c := range group {
			if progress != nil {
				fmt.Fprintf(progress, "[%d/%d] %-30s %10.1f ns/op  (%.1fs for %d)\n",
					len(results)+i+1, len(cells), c, rs[i].median(nsPerOp), time.Since(start).Seconds(), len(group))
			}
		}
		results = append(results, rs...)
	}
	return results, nil
}

// comparisons splits cells, which plan sorted by workload and then -cpu
// value, into the runs of cells that share both: the contenders compared.
func comparisons(cells []cell) [][]cell {
	var groups [][]cell
	for i := 0; i < len(cells); {
		j := i + 1
		for j < len(cells) && cells[j].workload == cells[i].workload && cells[j].cpu == cells[i].cpu {
			j++
		}
		groups = append(groups, cells[i:j:j])
		i = j
	}
	return groups
}

// replaySizes returns the buffer sizes the replay workload plays: the
// traces, or the one size -size asks for.
func replaySizes(size int) ([]int, error) {
	if size > 0 {
		return []int{size}, nil
	}
	return traceSizes()
}

// A contest is one cell while its comparison runs: its target, prepared
// and warmed up, and the runs timed so far.
type contest struct {
	target *Target
	run    func(n int)
	ops    int // per timed run, from the warm-up
	news   counter
	meter  *meter
	result Result
}

// enter builds a fresh instance of the cell's contender and warms it up on
// the workload, which sets the operations of each timed run. GOMAXPROCS
// must already be the cell's.
func enter(c cell, cfg *config, sizes []int, procs int) *contest {
	k := &contest{meter: newMeter()}
	k.target = build(c, procs, sizes, &k.news)
	k.target.KVLive = cfg.kvLive
	k.run = c.workload.Prepare(k.target)
	perOp := warmUp(k.run, cfg.benchtime/warmUpShare)
	k.ops = int(min(maxOps, max(1, math.Ceil(float64(cfg.benchtime)/perOp))))
	k.result = Result{Workload: c.workload.Name, Impl: c.impl.Name, CPU: c.cpu, GOMAXPROCS: procs}
	return k
}

// timeOne times one more run of the cell.
func (k *contest) timeOne() {
	k.result.Runs = append(k.result.Runs, timeRun(k.run, k.ops, k.meter, &k.news, k.target.Latencies))
}

// rewarmShare of a run's operations run untimed before each timed run of
// a contender that waited for its turn.
const rewarmShare = 8

// announce prints what a run will take: the cells of this process and
// those of its fallback child (childCells), and an estimate of both
// together. The child announces its own part again when it starts.
func announce(progress io.Writer, cfg *config, cells, child []cell) {
	if progress == nil || len(cells)+len(child) == 0 {
		return
	}
	where := fmt.Sprintf("%d cells", len(cells))
	if len(child) > 0 {
		where += fmt.Sprintf(" + %d in a fallback child", len(child))
	}
	fmt.Fprintf(progress, "allocbench: %s × (%d runs of %v + warm-up), about %v\n",
		where, cfg.count, cfg.benchtime, (estimate(cells, cfg) + estimate(child, cfg)).Round(time.Second))
}

// childCells returns the cells a fallback child runs for the named
// contenders (runFallbacks): plan's, for a configuration that names them.
func childCells(cfg *config, names []string) []cell {
	if len(names) == 0 {
		return nil
	}
	child := *cfg
	child.impls = names
	cells, _ := plan(&child)
	return cells
}

// estimate is how long runCells takes for cells, from -benchtime and
// -count: each cell's timed runs, its warm-up (calibration and the warm-up
// proper, a warmUpShare each; in GC workloads, before every timed run)
// and, elsewhere, the rewarm before each timed run.
func estimate(cells []cell, cfg *config) time.Duration {
	var total time.Duration
	for _, c := range cells {
		total += cfg.benchtime * time.Duration(cfg.count)
		if c.workload.GC { // a warm-up before every timed run
			total += time.Duration(cfg.count) * 2 * cfg.benchtime / warmUpShare
		} else {
			total += 2*cfg.benchtime/warmUpShare + cfg.benchtime*time.Duration(cfg.count)/rewarmShare
		}
	}
	return total
}

// rewarm runs the cell untimed, briefly, before its turn: while the others
// took theirs the contender sat idle through their collections, and a pool
// may let idle values go (sync.Pool at its second collection, this
// module's pools at their third), so its timed run would otherwise begin by
// making them again, which steady use does not.
func (k *contest) rewarm() { k.run(max(1, k.ops/rewarmShare)) }

// runGCInTurns runs the cells of a GC workload, which share it and a -cpu
// value, in turns as runInTurns does, but with nothing of one contender
// alive while another runs: each timed run is one of a fresh instance,
// built and warmed up just before it and closed after, round r starting
// with contender r. Run back to back instead, each cell alone, the
// contenders of a gcpressure comparison at -cpu 2 came out 1.0–1.5×
// sync.Pool's time by their place in the order and the machine's drift
// (`new`, which pools nothing, from 1.02× to 1.33× between two runs), and
// alloc 1.17–1.54×; run in turns in separate processes, alloc was 0.96×.
func runGCInTurns(cells []cell, cfg *config, sizes []int) []Result {
	procs := cells[0].workload.procsFor(cells[0].cpu)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	results := make([]Result, len(cells))
	for r := range cfg.count {
		for j := range cells {
			i := (r + j) % len(cells)
			k := enter(cells[i], cfg, sizes, procs)
			k.timeOne()
			k.target.close()
			runs := results[i].Runs
			results[i] = k.result
			results[i].Runs = append(runs, k.result.Runs...)
		}
	}
	return results
}

// runInTurns runs cells, which share a workload and a -cpu value, in
// turns: every contender built and warmed up, then cfg.count rounds of one
// timed run each, round r starting with contender r (mod their number),
// each run after a brief untimed one (rewarm).
func runInTurns(cells []cell, cfg *config, sizes []int) []Result {
	procs := cells[0].workload.procsFor(cells[0].cpu)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	ks := make([]*contest, 0, len(cells))
	defer func() {
		for _, k := range slices.Backward(ks) {
			k.target.close()
		}
	}()
	for _, c := range cells {
		ks = append(ks, enter(c, cfg, sizes, procs))
	}
	for r := range cfg.count {
		for j := range ks {
			k := ks[(r+j)%len(ks)]
			if r > 0 || j > 0 { // the first one just warmed up
				k.rewarm()
			}
			k.timeOne()
		}
	}
	results := make([]Result, len(ks))
	for i, k := range ks {
		results[i] = k.result
	}
	return results
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
