package main

import (
	"slices"
	"strings"
)

// A Report is everything one allocbench invocation measured. -format json
// writes it as is, and a fallback child hands its results back in one.
type Report struct {
	Header  Header   `json:"header"`
	Results []Result `json:"results"`
}

// A Header describes the machine and the run.
type Header struct {
	CPU        string `json:"cpu"`        // processor model
	Cores      int    `json:"cores"`      // runtime.NumCPU
	Go         string `json:"go"`         // runtime.Version
	OS         string `json:"os"`         // GOOS
	Arch       string `json:"arch"`       // GOARCH
	Kernel     string `json:"kernel"`     // uname sysname and release
	GOMAXPROCS int    `json:"gomaxprocs"` // at start-up, before any -cpu value
	Mode       string `json:"mode"`       // modeLine()
	// FallbackMode is the mode line of the child that ran NAME/fallback
	// contenders, if any ran.
	FallbackMode string `json:"fallback_mode,omitempty"`
	Benchtime    string `json:"benchtime"`         // -benchtime
	Count        int    `json:"count"`             // -count
	KVLive       string `json:"kv_live,omitempty"` // -kvlive, if a kv workload ran
}

// A Result holds the runs of one cell: a workload, a contender, a -cpu value.
type Result struct {
	Workload   string `json:"workload"`
	Impl       string `json:"impl"` // contender name, NAME/fallback for a child's
	CPU        int    `json:"cpu"`  // the -cpu value
	GOMAXPROCS int    `json:"gomaxprocs"`
	Runs       []Run  `json:"runs"` // one per -count
}

// A Run is one timed run of a cell. Per-operation figures divide by Ops.
type Run struct {
	Ops          int     `json:"ops"`
	NsPerOp      float64 `json:"ns_per_op"`        // wall time
	AllocsPerOp  float64 `json:"allocs_per_op"`    // heap allocations, the workload's own included
	BytesPerOp   float64 `json:"bytes_per_op"`     // heap bytes allocated
	NewsPerOp    float64 `json:"news_per_op"`      // values the contender had to make: 1 - hit rate
	GCs          int64   `json:"gcs"`              // GC cycles completed during the run
	GCCPUNsPerOp float64 `json:"gc_cpu_ns_per_op"` // GC CPU time (runtime/metrics estimate)
	GCPauseMaxNs float64 `json:"gc_pause_max_ns"`  // longest stop-the-world pause (histogram bucket bound)
	// GCCPUFraction is the GC's CPU time over all the CPU time GOMAXPROCS
	// gives the process, from the run's start to its last GC (see meter.go).
	GCCPUFraction float64 `json:"gc_cpu_fraction"`
	// CPUNsPerOp is the CPU time every thread of the process used during
	// the run (user and system, from getrusage; 0 where there is none): on
	// a machine shared with other work it is what the run cost, where wall
	// time also counts the time the process waited for a CPU.
	CPUNsPerOp float64 `json:"cpu_ns_per_op,omitempty"`
	// Request latencies, for workloads with Workload.Latency: the samples
	// taken and the median and 99th percentile (bucket upper bounds, within
	// 6% of the true values; see latency.go).
	LatencySamples uint64  `json:"latency_samples,omitempty"`
	P50Ns          float64 `json:"p50_ns,omitempty"`
	P99Ns          float64 `json:"p99_ns,omitempty"`
}

// median returns the median over the runs of f.
func (r *Result) median(f func(Run) float64) float64 {
	vals := make([]float64, len(r.Runs))
	for i, run := range r.Runs {
		vals[i] = f(run)
	}
	return median(vals)
}

// spread returns half the range of f over the runs, relative to its median:
// the ± the table prints.
func (r *Result) spread(f func(Run) float64) float64 {
	m := r.median(f)
	if m == 0 || len(r.Runs) < 2 {
		return 0
	}
	lo, hi := f(r.Runs[0]), f(r.Runs[0])
	for _, run := range r.Runs[1:] {
		lo, hi = min(lo, f(run)), max(hi, f(run))
	}
	return (hi - lo) / 2 / m
}

// median returns the median of vals, or 0 for none; it sorts vals.
func median(vals []float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	slices.Sort(vals)
	n := len(vals)
	if n%2 == 1 {
		return vals[n/2]
	}
	return (vals[n/2-1] + vals[n/2]) / 2
}

// contender returns the name of the contender that produced r, and whether
// r ran with the fallback forced.
func (r *Result) contender() (name string, fallback bool) {
	return strings.CutSuffix(r.Impl, fallbackSuffix)
}

// Run fields as functions, for median and spread.
func nsPerOp(r Run) float64       { return r.NsPerOp }
func allocsPerOp(r Run) float64   { return r.AllocsPerOp }
func bytesPerOp(r Run) float64    { return r.BytesPerOp }
func newsPerOp(r Run) float64     { return r.NewsPerOp }
func gcs(r Run) float64           { return float64(r.GCs) }
func gcCPUNsPerOp(r Run) float64  { return r.GCCPUNsPerOp }
func gcPauseMaxNs(r Run) float64  { return r.GCPauseMaxNs }
func gcCPUFraction(r Run) float64 { return r.GCCPUFraction }
func cpuNsPerOp(r Run) float64    { return r.CPUNsPerOp }
func p50Ns(r Run) float64         { return r.P50Ns }
func p99Ns(r Run) float64         { return r.P99Ns }

// distinct returns key's values over the results that keep selects, in
// order of first appearance.
func distinct[T comparable](results []Result, keep func(Result) bool, key func(Result) T) []T {
	var out []T
	for _, r := range results {
		if k := key(r); keep(r) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// ofWorkload returns a filter for distinct that keeps one workload's
// results; everyResult keeps every result.
func ofWorkload(name string) func(Result) bool {
	return func(r Result) bool { return r.Workload == name }
}
func everyResult(Result) bool { return true }
