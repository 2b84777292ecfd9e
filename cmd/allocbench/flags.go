package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
)

// Defaults, chosen so that the default run takes about a minute on 2 CPUs:
// 128 cells (5 workloads, 2 -cpu values, up to 15 contenders with the
// fallbacks), each a warm-up (its last run a quarter of -benchtime) plus 3
// runs of 150ms.
const (
	defaultBenchtime = 150 * time.Millisecond
	defaultCount     = 3
	defaultKVLive    = "64MiB" // the kv workloads are not in the default set
)

// config is a parsed command line.
type config struct {
	cpus      []int         // -cpu
	count     int           // -count
	benchtime time.Duration // -benchtime
	workloads []*Workload   // -workload
	impls     []string      // -impl: contender names, some with fallbackSuffix
	size      int           // -size
	kvLive    int64         // -kvlive, in bytes
	format    string        // -format
	plot      string        // -plot
	quiet     bool          // -q
}

// errUsage is returned for a bad command line, after the usage message.
var errUsage = errors.New("usage")

// parseFlags parses args. On a bad flag it writes the problem and the usage
// message to stderr and returns errUsage; for -h it returns flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("allocbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs) }
	var (
		cfg       config
		cpus      = fs.String("cpu", defaultCPUs(), "comma-separated `list` of GOMAXPROCS values; most workloads run one goroutine per P")
		workloadF = fs.String("workload", strings.Join(workloadNames(true), ","), "comma-separated `list` of workloads, or all")
		implF     = fs.String("impl", "all", "comma-separated `list` of contenders (NAME"+fallbackSuffix+" forces the rseq fallback), or all")
		kvLive    = fs.String("kvlive", defaultKVLive, "live set of the kv workloads' cache: `bytes` of records (64MiB, 1GiB, …)")
	)
	fs.IntVar(&cfg.count, "count", defaultCount, "run each cell `n` times; the table shows medians")
	fs.DurationVar(&cfg.benchtime, "benchtime", defaultBenchtime, "time each run for `d`")
	fs.IntVar(&cfg.size, "size", 0, "buffer size in `bytes` for replay; 0 replays the traces (records are always 64 B)")
	fs.StringVar(&cfg.format, "format", "table", "output `format`: table, benchfmt or json")
	fs.StringVar(&cfg.plot, "plot", "", "also chart each contender's time relative to sync.Pool, per workload, into `file`.svg")
	fs.BoolVar(&cfg.quiet, "q", false, "no progress lines on stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage // the flag package has printed the problem and the usage
	}
	err := cfg.check(fs, *cpus, *workloadF, *implF, *kvLive)
	if err != nil {
		fmt.Fprintf(stderr, "allocbench: %v\n", err)
		fs.Usage()
		return nil, errUsage
	}
	return &cfg, nil
}

// check validates and resolves the flags that need more than the flag
// package does.
func (cfg *config) check(fs *flag.FlagSet, cpus, workloadList, implList, kvLive string) error {
	var err error
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.cpus, err = parseCPUs(cpus); err != nil {
		return err
	}
	if cfg.workloads, err = parseWorkloads(workloadList); err != nil {
		return err
	}
	if cfg.impls, err = parseImpls(implList); err != nil {
		return err
	}
	if cfg.kvLive, err = parseKVLive(kvLive); err != nil {
		return err
	}
	switch {
	case cfg.count < 1:
		return fmt.Errorf("-count %d: want at least 1", cfg.count)
	case cfg.benchtime <= 0:
		return fmt.Errorf("-benchtime %v: want a positive duration", cfg.benchtime)
	case cfg.size < 0:
		return fmt.Errorf("-size %d: want 0 (the traces) or a positive size", cfg.size)
	case writers[cfg.format] == nil:
		return fmt.Errorf("-format %q: want table, benchfmt or json", cfg.format)
	case cfg.plot != "" && !strings.HasSuffix(cfg.plot, ".svg"):
		return fmt.Errorf("-plot %q: want a file name ending in .svg", cfg.plot)
	}
	return nil
}

// defaultCPUs is "1,N" for N CPUs: the serial cost and the whole machine.
func defaultCPUs() string {
	if n := runtime.NumCPU(); n > 1 {
		return "1," + strconv.Itoa(n)
	}
	return "1"
}

// parseCPUs parses -cpu: positive integers, duplicates dropped.
func parseCPUs(list string) ([]int, error) {
	var cpus []int
	for _, s := range splitList(list) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-cpu %q: %q is not a positive integer", list, s)
		}
		if !slices.Contains(cpus, n) {
			cpus = append(cpus, n)
		}
	}
	if len(cpus) == 0 {
		return nil, fmt.Errorf("-cpu %q: empty list", list)
	}
	return cpus, nil
}

// parseWorkloads parses -workload.
func parseWorkloads(list string) ([]*Workload, error) {
	names := splitList(list)
	if slices.Equal(names, []string{"all"}) {
		names = workloadNames(false)
	}
	var ws []*Workload
	for _, name := range names {
		w := lookupWorkload(name)
		if w == nil {
			return nil, fmt.Errorf("-workload: unknown workload %q (have %s, or all)",
				name, strings.Join(workloadNames(false), ", "))
		}
		if !slices.Contains(ws, w) {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("-workload %q: empty list", list)
	}
	return ws, nil
}

// parseImpls parses -impl.
func parseImpls(list string) ([]string, error) {
	names := splitList(list)
	if slices.Equal(names, []string{"all"}) {
		names = contenderNames()
	}
	var impls []string
	for _, name := range names {
		if lookupContender(strings.TrimSuffix(name, fallbackSuffix)) == nil {
			return nil, fmt.Errorf("-impl: unknown contender %q (have %s, or all; add %s to force the fallback)",
				name, strings.Join(contenderNames(), ", "), fallbackSuffix)
		}
		if !slices.Contains(impls, name) {
			impls = append(impls, name)
		}
	}
	if len(impls) == 0 {
		return nil, fmt.Errorf("-impl %q: empty list", list)
	}
	return impls, nil
}

// parseKVLive parses -kvlive: a size in bytes, at least kvMinLive.
func parseKVLive(s string) (int64, error) {
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("-kvlive %q: %v", s, err)
	}
	if n < kvMinLive || n > math.MaxInt64/2 {
		return 0, fmt.Errorf("-kvlive %q: want at least %s", s, humanize.IBytes(kvMinLive))
	}
	return int64(n), nil
}

// splitList splits a comma-separated list, trimming blanks and dropping
// empty entries.
func splitList(list string) []string {
	var out []string
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// usage writes the usage message: the flags, then the workloads and
// contenders with a line on each.
func usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintf(w, "usage: allocbench [flags]\n\n"+
		"allocbench compares per-CPU pools with sync.Pool and other pools on a set of\n"+
		"workloads and prints a table (see go doc ./cmd/allocbench).\n\nflags:\n")
	fs.PrintDefaults()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nworkloads (* in the default set):\n")
	for _, wl := range workloads {
		mark := " "
		if wl.Default {
			mark = "*"
		}
		fmt.Fprintf(tw, "  %s %s\t%s\n", mark, wl.Name, wl.About)
	}
	tw.Flush()
	fmt.Fprintf(tw, "\ncontenders:\n")
	for _, c := range contenders {
		fmt.Fprintf(tw, "    %s\t%s\n", c.Name, c.About)
	}
	tw.Flush()
}
