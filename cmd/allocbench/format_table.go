package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"
)

// referenceImpl is the contender the "vs sync.Pool" column divides by.
const referenceImpl = "syncpool"

// writeTable writes the report for a person: the machine, then one section
// per workload with a block of rows per -cpu value, fastest first.
func writeTable(w io.Writer, rep *Report) error {
	var b strings.Builder
	writeTableHeader(&b, rep.Header, rep.Results)
	if err := writeSummary(&b, rep.Results); err != nil {
		return err
	}
	for _, name := range distinct(rep.Results, everyResult, func(r Result) string { return r.Workload }) {
		wl := lookupWorkload(name)
		fmt.Fprintf(&b, "\n%s — %s\n", name, wl.About)
		if err := workloadGrid(wl, rep.Results, rep.Header.Cores).write(&b, "  "); err != nil {
			return err
		}
	}
	b.WriteString(tableLegend)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTableHeader(b *strings.Builder, h Header, results []Result) {
	fmt.Fprintf(b, "allocbench · %s, %d cores · %s %s/%s · %s · GOMAXPROCS %d\n",
		h.CPU, h.Cores, h.Go, h.OS, h.Arch, h.Kernel, h.GOMAXPROCS)
	fmt.Fprintln(b, h.Mode)
	if h.FallbackMode != "" {
		fmt.Fprintf(b, "NAME/fallback rows, in a child with %s=%s: %s\n", rseqEnv, rseqOff, h.FallbackMode)
	}
	fmt.Fprintf(b, "each cell: warm-up, then %d × %s timed, each after a GC, contenders taking turns (in GC workloads, a fresh instance each run); medians shown, ± is half the range\n",
		h.Count, h.Benchtime)
	if h.KVLive != "" {
		fmt.Fprintf(b, "kv workloads: a live set of %s of records (-kvlive)\n", h.KVLive)
	}
	if line := oversubscription(results, h.Cores); line != "" {
		fmt.Fprintln(b, line)
	}
}

// oversubscribedMark follows the -cpu value of a row that ran more Ps than
// the machine has CPUs.
const oversubscribedMark = "*"

// oversubscribed reports whether r ran more Ps than cores.
func oversubscribed(r *Result, cores int) bool { return cores > 0 && r.GOMAXPROCS > cores }

// oversubscription returns the header line that explains the rows marked
// oversubscribed — the -cpu values above cores, and the workloads that run
// more Ps than cores at a lower -cpu value — or "" if no row is.
func oversubscription(results []Result, cores int) string {
	over := func(r Result) bool { return oversubscribed(&r, cores) }
	cpus := distinct(results, func(r Result) bool { return over(r) && r.CPU > cores }, func(r Result) int { return r.CPU })
	slices.Sort(cpus)
	always := distinct(results, func(r Result) bool { return over(r) && r.CPU <= cores }, func(r Result) string { return r.Workload })
	var which []string
	if len(cpus) > 0 {
		which = append(which, "-cpu "+joinInts(cpus))
	}
	if len(always) > 0 {
		which = append(which, "every "+strings.Join(always, ", ")+" row")
	}
	if len(which) == 0 {
		return ""
	}
	return fmt.Sprintf("%s oversubscribed: more Ps than the machine's %d CPUs, which the OS time-slices (%s)",
		oversubscribedMark, cores, strings.Join(which, "; "))
}

// joinInts joins integers with commas.
func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

const tableLegend = `
ns/op         wall time per operation (one value's Get and Put), all goroutines together
ops/s         10⁹ / (ns/op)
allocs, B     heap allocations per operation, the workload's own garbage included
hit           share of Gets served without making a new value: 1 - News/Gets
              (—: new, slab and allocarena allocate every value they hand out;
              the counter and kv workloads pool nothing)
GC CPU/op     the GC's CPU time per operation (runtime/metrics' estimate)
max pause     the longest stop-the-world GC pause (the bound of its histogram bucket)
CPU/op        the process's CPU time per request, every thread, user and system
GC CPU        the GC's share of the process's CPU time (GOMAXPROCS × wall time)
p50, p99      request latency percentiles, from 1 request in 64 timed
vs sync.Pool  ns/op divided by sync.Pool's at the same cpu: below 1× is faster;
              a NAME/fallback row by syncpool/fallback's (sync.Pool run in the
              same child process), whose own ratio, to the parent's sync.Pool,
              shows how far apart the two processes ran
cpu N*        the cell ran more Ps than the machine has CPUs (oversubscribed)
summary       per contender, over the cells it ran beside sync.Pool: the geometric
              mean of "vs sync.Pool", and the cell where that ratio was largest
`

// workloadGrid lays out the results of one workload, marking the rows that
// ran more Ps than cores.
func workloadGrid(wl *Workload, results []Result, cores int) *grid {
	g := &grid{
		header: []string{"cpu", "impl", "ns/op", "±", "ops/s", "allocs", "B", "hit"},
		right:  []bool{true, false, true, true, true, true, true, true},
	}
	if wl.GC {
		g.header = append(g.header, "GCs", "GC CPU/op", "max pause")
		g.right = append(g.right, true, true, true)
	}
	for _, col := range wl.Columns {
		g.header = append(g.header, col.header)
		g.right = append(g.right, true)
	}
	compared := slices.ContainsFunc(results, func(r Result) bool {
		return r.Workload == wl.Name && r.Impl == referenceImpl
	})
	if compared {
		g.header = append(g.header, "vs sync.Pool")
		g.right = append(g.right, true)
	}

	refs := referencesOf(results)
	for i, cpu := range distinct(results, ofWorkload(wl.Name), func(r Result) int { return r.CPU }) {
		if i > 0 {
			g.gap()
		}
		for _, r := range cpuBlock(results, wl.Name, cpu) {
			row := tableRow(wl, r)
			if oversubscribed(r, cores) {
				row[0] += oversubscribedMark
			}
			if compared {
				ref, ok := refs.base(r)
				if !ok {
					ref = math.NaN()
				}
				row = append(row, formatRatio(r.median(nsPerOp), ref))
			}
			g.add(row...)
		}
	}
	return g
}

// cpuBlock returns the results of one workload at one -cpu value, fastest
// first.
func cpuBlock(results []Result, workload string, cpu int) []*Result {
	var block []*Result
	for i := range results {
		if r := &results[i]; r.Workload == workload && r.CPU == cpu {
			block = append(block, r)
		}
	}
	slices.SortStableFunc(block, func(a, b *Result) int {
		return cmp.Compare(a.median(nsPerOp), b.median(nsPerOp))
	})
	return block
}

// tableRow formats one result.
func tableRow(wl *Workload, r *Result) []string {
	ns := r.median(nsPerOp)
	row := []string{
		strconv.Itoa(r.CPU),
		r.Impl,
		formatNs(ns),
		fmt.Sprintf("%.0f%%", 100*r.spread(nsPerOp)),
		humanize.SIWithDigits(1e9/ns, 1, ""),
		formatPerOp(r.median(allocsPerOp)),
		formatBytes(r.median(bytesPerOp)),
		formatHit(r),
	}
	if wl.GC {
		row = append(row,
			strconv.FormatFloat(r.median(gcs), 'f', -1, 64),
			formatNs(r.median(gcCPUNsPerOp))+" ns",
			formatSeconds(r.median(gcPauseMaxNs)/1e9))
	}
	for _, col := range wl.Columns {
		row = append(row, col.value(r))
	}
	return row
}

// formatRatio prints ns/op relative to the reference's, or a dash when the
// reference did not run at this -cpu value (ref is NaN).
func formatRatio(ns, ref float64) string {
	if math.IsNaN(ref) {
		return "—"
	}
	return fmt.Sprintf("%.2f×", ns/ref)
}

// formatNs prints nanoseconds with three significant digits, or whole.
func formatNs(ns float64) string {
	switch {
	case ns < 10:
		return fmt.Sprintf("%.2f", ns)
	case ns < 100:
		return fmt.Sprintf("%.1f", ns)
	}
	return humanize.Comma(int64(math.Round(ns)))
}

// formatPerOp prints a small per-operation count.
func formatPerOp(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 0.01:
		return "<0.01"
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// formatBytes prints bytes per operation.
func formatBytes(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 1:
		return "<1 B"
	}
	return humanize.IBytes(uint64(math.Round(v)))
}

// formatHit prints the hit rate, or a dash for the baseline, which pools
// nothing, for off-heap contenders, which make their records themselves
// and count none, and for the counter workload.
func formatHit(r *Result) string {
	if w := lookupWorkload(r.Workload); w != nil && (w.Uses == shapeCounter || w.Uses == shapeKV) {
		return "—" // counts or caches, pools nothing
	}
	name, _ := r.contender()
	if c := lookupContender(name); c != nil && (c.Baseline || c.OffHeap) {
		return "—"
	}
	gets := 1.0
	if w := lookupWorkload(r.Workload); w != nil {
		gets = float64(w.getsPerOp())
	}
	hit := 100 * (1 - r.median(newsPerOp)/gets)
	if hit > 99.95 && hit < 100 {
		return ">99.9%"
	}
	return strconv.FormatFloat(hit, 'f', 1, 64) + "%"
}
