package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// writeBenchfmt writes the report in the Go benchmark format, one line per
// run, for benchstat:
//
//	BenchmarkPair/impl=syncpool/cpu=2 35714285 14.2 ns/op 0 B/op 0 allocs/op 0 news/op
//
// A NAME/fallback contender is impl=NAME/rseq=off. The header becomes file
// configuration lines (goos, goarch, cpu, …).
func writeBenchfmt(w io.Writer, rep *Report) error {
	bw := benchfmt.NewWriter(w)
	config := benchConfig(rep.Header)
	for i := range rep.Results {
		r := &rep.Results[i]
		impl, fallback := r.contender()
		name := fmt.Sprintf("%s/impl=%s", benchName(r.Workload), impl)
		if fallback {
			name += "/rseq=off"
		}
		name += "/cpu=" + strconv.Itoa(r.CPU)
		for _, run := range r.Runs {
			res := &benchfmt.Result{Config: config, Name: benchfmt.Name(name), Iters: run.Ops, Values: benchValues(r, run)}
			if err := bw.Write(res); err != nil {
				return err
			}
		}
	}
	return nil
}

// benchName returns the benchmark name of a workload.
func benchName(workload string) string {
	if w := lookupWorkload(workload); w != nil {
		return w.Bench
	}
	return workload
}

// benchConfig returns the header as file configuration.
func benchConfig(h Header) []benchfmt.Config {
	pairs := [][2]string{
		{"goos", h.OS},
		{"goarch", h.Arch},
		{"pkg", "github.com/gorseq/percpu/cmd/allocbench"},
		{"cpu", h.CPU},
		{"cores", strconv.Itoa(h.Cores)},
		{"go", h.Go},
		{"kernel", h.Kernel},
		{"rseq-mode", strings.TrimPrefix(h.Mode, modePrefix)},
	}
	if h.FallbackMode != "" {
		pairs = append(pairs, [2]string{"rseq-fallback-mode", strings.TrimPrefix(h.FallbackMode, modePrefix)})
	}
	if h.KVLive != "" {
		pairs = append(pairs, [2]string{"kv-live", h.KVLive})
	}
	config := make([]benchfmt.Config, len(pairs))
	for i, p := range pairs {
		config[i] = benchfmt.Config{Key: p[0], Value: []byte(p[1]), File: true}
	}
	return config
}

// benchValues returns the measurements of one run, to four significant
// digits; GC figures only for the workloads about the GC, latencies only
// for those that serve requests. The GC times are
// in seconds: benchfmt's reader turns "ns" units into "sec" except for
// zero values, which would leave two names for one unit.
func benchValues(r *Result, run Run) []benchfmt.Value {
	vals := []benchfmt.Value{
		{Value: run.NsPerOp, Unit: "ns/op"},
		{Value: run.BytesPerOp, Unit: "B/op"},
		{Value: run.AllocsPerOp, Unit: "allocs/op"},
		{Value: run.NewsPerOp, Unit: "news/op"},
	}
	if w := lookupWorkload(r.Workload); w != nil && w.GC {
		vals = append(vals,
			benchfmt.Value{Value: run.GCCPUNsPerOp / 1e9, Unit: "gc-cpu-sec/op"},
			benchfmt.Value{Value: run.GCPauseMaxNs / 1e9, Unit: "gc-pause-max-sec"},
			benchfmt.Value{Value: float64(run.GCs), Unit: "gcs"})
	}
	if w := lookupWorkload(r.Workload); w != nil && w.Latency {
		vals = append(vals,
			benchfmt.Value{Value: run.CPUNsPerOp / 1e9, Unit: "cpu-sec/op"},
			benchfmt.Value{Value: run.GCCPUFraction, Unit: "gc-cpu-fraction"},
			benchfmt.Value{Value: run.P50Ns / 1e9, Unit: "p50-sec"},
			benchfmt.Value{Value: run.P99Ns / 1e9, Unit: "p99-sec"})
	}
	for i, v := range vals {
		vals[i].Value, _ = strconv.ParseFloat(strconv.FormatFloat(v.Value, 'g', 4, 64), 64)
	}
	return vals
}
