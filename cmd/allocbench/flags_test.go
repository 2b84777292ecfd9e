package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// A bad command line exits with status 2 and a message that names the bad
// value, followed by the usage.
func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"-workload=pair,nosuch"}, `"nosuch"`},
		{[]string{"-workload="}, "-workload"},
		{[]string{"-impl=nosuch"}, `"nosuch"`},
		{[]string{"-impl=nosuch/fallback"}, `"nosuch/fallback"`},
		{[]string{"-cpu=1,x"}, `"x"`},
		{[]string{"-cpu=0"}, `"0"`},
		{[]string{"-cpu=,"}, "-cpu"},
		{[]string{"-count=-1"}, "-count -1"},
		{[]string{"-count=0"}, "-count 0"},
		{[]string{"-count=many"}, "many"},
		{[]string{"-benchtime=0s"}, "-benchtime 0s"},
		{[]string{"-benchtime=soon"}, "soon"},
		{[]string{"-size=-8"}, "-size -8"},
		{[]string{"-format=xml"}, `"xml"`},
		{[]string{"-kvlive=lots"}, `"lots"`},
		{[]string{"-kvlive=1KiB"}, `"1KiB"`},
		{[]string{"-plot=out.png"}, `"out.png"`},
		{[]string{"-nosuch"}, "-nosuch"},
		{[]string{"stray"}, `"stray"`},
	} {
		status, stdout, stderr := runAllocbench(t, tc.args...)
		if status != exitUsage || stdout != "" || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "usage: allocbench") {
			t.Errorf("allocbench %q: status %d, stdout %q, stderr:\n%s\nwant status 2 and %s, then the usage",
				tc.args, status, stdout, stderr, tc.want)
		}
	}
}

// -h prints the usage, with every workload and contender, and succeeds.
func TestHelp(t *testing.T) {
	status, _, stderr := runAllocbench(t, "-h")
	if status != exitOK {
		t.Errorf("-h: status %d", status)
	}
	for _, name := range append(workloadNames(false), contenderNames()...) {
		if !strings.Contains(stderr, strings.TrimSuffix(name, fallbackSuffix)) {
			t.Errorf("usage lacks %q:\n%s", name, stderr)
		}
	}
}

// The defaults parse, and lists resolve: all, duplicates, blanks, suffixes.
func TestFlagValues(t *testing.T) {
	cfg, err := parseFlags(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.count != defaultCount || cfg.benchtime != defaultBenchtime || cfg.format != "table" ||
		!slices.Equal(cfg.impls, contenderNames()) || len(cfg.workloads) != len(workloadNames(true)) {
		t.Errorf("defaults: %+v", cfg)
	}
	cfg, err = parseFlags([]string{"-cpu= 2, 1,2", "-impl=syncpool, perp/fallback,syncpool", "-workload=all", "-benchtime=3s"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.cpus, []int{2, 1}) || !slices.Equal(cfg.impls, []string{"syncpool", "perp/fallback"}) ||
		len(cfg.workloads) != len(workloads) || cfg.benchtime != 3*time.Second {
		t.Errorf("parsed: %+v", cfg)
	}
}
