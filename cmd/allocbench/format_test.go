package main

import (
	"encoding/json"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// goldenArgs is the short run the format tests parse.
var goldenArgs = []string{"-workload=pair,gcpressure", "-impl=syncpool,new", "-count=2"}

// goldenNames are the benchmarks goldenArgs produce, each once per run.
var goldenNames = []string{
	"Pair/impl=syncpool/cpu=1", "Pair/impl=new/cpu=1",
	"Pair/impl=syncpool/cpu=2", "Pair/impl=new/cpu=2",
	"GCPressure/impl=syncpool/cpu=1", "GCPressure/impl=new/cpu=1",
	"GCPressure/impl=syncpool/cpu=2", "GCPressure/impl=new/cpu=2",
}

// benchstat's reader accepts -format benchfmt: the expected benchmarks,
// twice each, with the file configuration and units it needs.
func TestBenchfmtGolden(t *testing.T) {
	out := mustRun(t, append(goldenArgs, "-format=benchfmt")...)
	r := benchfmt.NewReader(strings.NewReader(out), "allocbench")
	var names []string
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("not a result: %v", r.Result())
		}
		names = append(names, res.Name.String())
		for _, key := range []string{"goos", "goarch", "cpu", "go", "kernel", "rseq-mode"} {
			if res.GetConfig(key) == "" {
				t.Errorf("%s: no %q configuration", res.Name, key)
			}
		}
		units := []string{"sec/op", "B/op", "allocs/op", "news/op"}
		if strings.HasPrefix(res.Name.String(), "GCPressure") {
			units = append(units, "gc-cpu-sec/op", "gc-pause-max-sec", "gcs")
		}
		for _, unit := range units {
			if _, ok := res.Value(unit); !ok {
				t.Errorf("%s: no %s value", res.Name, unit)
			}
		}
		if res.Iters < 1 {
			t.Errorf("%s: %d iterations", res.Name, res.Iters)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(goldenNames), goldenNames...)
	slices.Sort(want)
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("benchmarks:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
}

// -format json decodes into Report, with the header filled in and a
// result per cell.
func TestJSONGolden(t *testing.T) {
	var rep Report
	dec := json.NewDecoder(strings.NewReader(mustRun(t, append(goldenArgs, "-format=json")...)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatal(err)
	}
	h := rep.Header
	if h.Cores < 1 || h.Go == "" || h.Kernel == "" || h.CPU == "" || h.Mode != modeLine() || h.Count != 2 || h.Benchtime != "1ms" {
		t.Errorf("header: %+v", h)
	}
	var names []string
	for _, r := range rep.Results {
		names = append(names, benchName(r.Workload)+"/impl="+r.Impl+"/cpu="+strconv.Itoa(r.CPU))
		if len(r.Runs) != 2 {
			t.Errorf("%s/%s: %d runs, want 2", r.Workload, r.Impl, len(r.Runs))
		}
	}
	if !slices.Equal(names, goldenNames) {
		t.Errorf("results:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(goldenNames, "\n"))
	}
}

// The table has the header, a section per workload, a row per contender
// and -cpu value, and GC columns for the GC workloads only.
func TestTable(t *testing.T) {
	out := mustRun(t, goldenArgs...)
	for _, want := range []string{
		"allocbench · ", modeLine(), "2 × 1ms", "pair — ", "gcpressure — ", "max pause", "vs sync.Pool", "1.00×",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	pair := out[strings.Index(out, "pair — "):strings.Index(out, "gcpressure — ")]
	if strings.Contains(pair, "max pause") {
		t.Errorf("pair has GC columns:\n%s", pair)
	}
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 2 && (f[1] == "syncpool" || f[1] == "new") {
			rows++
		}
	}
	if rows != len(goldenNames) {
		t.Errorf("%d rows, want %d:\n%s", rows, len(goldenNames), out)
	}
}

// -plot writes an SVG with a panel per workload that sync.Pool ran, and
// fails when it ran none.
func TestPlot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.svg")
	mustRun(t, append(goldenArgs, "-plot="+path)...)
	svg, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "pair — ", "gcpressure — ", ">new<", "1×", "peers", "-cpu 2"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("the plot lacks %q", want)
		}
	}
	status, _, stderr := runAllocbench(t, append(quick, "-workload=pair", "-impl=new", "-plot="+path)...)
	if status != exitError || !strings.Contains(stderr, "nothing to compare with") {
		t.Errorf("a plot without sync.Pool: status %d, %q", status, stderr)
	}
}

// The chart's bars: a row per contender but sync.Pool, the best on top; a
// bar per -cpu value from sync.Pool's time, this module's contenders in
// blues, the peers in oranges, fallbacks in outline.
func TestPanelBars(t *testing.T) {
	results := []Result{
		result("pair", "syncpool", 1, 1, 10), result("pair", "syncpool", 2, 2, 10),
		result("pair", "alloc", 1, 1, 5), result("pair", "alloc", 2, 2, 5),
		result("pair", "alloc/fallback", 1, 1, 40),
		result("pair", "perp", 1, 1, 8), result("pair", "perp", 2, 2, 20),
	}
	bars, rows := panelBars("pair", results, []int{1, 2})
	if want := []string{"alloc/fallback", "perp", "alloc"}; !slices.Equal(rows, want) {
		t.Fatalf("rows %v, want %v (bottom first)", rows, want)
	}
	if len(bars.bars) != 5 {
		t.Fatalf("%d bars, want 5", len(bars.bars))
	}
	for _, b := range bars.bars {
		row := rows[int(math.Round(b.y))]
		project := slices.Contains(projectShades, b.colour.(color.RGBA))
		peer := slices.Contains(peerShades, b.colour.(color.RGBA))
		switch {
		case row == "perp" && !peer, row != "perp" && !project:
			t.Errorf("%s: bar in %v, wrong family", row, b.colour)
		case b.outline != (row == "alloc/fallback"):
			t.Errorf("%s: outline %v", row, b.outline)
		}
	}
	if lo, hi := bars.xRange(); lo != 0.5 || hi != 4 {
		t.Errorf("ratios from %v to %v, want 0.5 to 4", lo, hi)
	}
	if b, _ := panelBars("pair", results[2:], []int{1, 2}); b != nil {
		t.Error("a panel without sync.Pool")
	}
}

// The hit column shows a rate for pools, and a dash for the baseline and
// the off-heap contenders (also as NAME/fallback), which count no hits,
// and for the counter workload, which pools nothing.
func TestHitColumn(t *testing.T) {
	for impl, want := range map[string]string{
		"syncpool": "100.0%", "alloc/fallback": "100.0%",
		"new": "—", "slab": "—", "slab/fallback": "—", "allocarena": "—",
	} {
		r := Result{Impl: impl, Runs: []Run{{NewsPerOp: 0}}}
		if got := formatHit(&r); got != want {
			t.Errorf("%s: hit %q, want %q", impl, got, want)
		}
	}
	r := Result{Workload: "counter", Impl: "atomic", Runs: []Run{{NewsPerOp: 0}}}
	if got := formatHit(&r); got != "—" {
		t.Errorf("counter workload: hit %q, want a dash", got)
	}
}
