package main

import (
	"encoding/json"
	"slices"
	"testing"
)

// NAME/fallback contenders run in a child process with PERCPU_RSEQ=off (the
// helper refuses to run otherwise); their results come back renamed and sit
// beside the parent's.
func TestFallbackChild(t *testing.T) {
	useTestBinaryAsChild(t)
	var rep Report
	out := mustRun(t, "-workload=pair,arena,replay",
		"-impl=syncpool,perp/fallback,syncpool/fallback,slab/fallback,allocarena/fallback", "-format=json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, r.Workload+" "+r.Impl)
	}
	slices.Sort(got)
	got = slices.Compact(got)
	want := []string{
		"arena allocarena/fallback", "arena slab/fallback", // the others here have no arenas
		"pair perp/fallback", "pair slab/fallback", "pair syncpool", "pair syncpool/fallback",
		"replay syncpool", "replay syncpool/fallback", // perp and slab have no buffer pools
	}
	if !slices.Equal(got, want) {
		t.Errorf("results %q, want %q", got, want)
	}
	if rep.Header.FallbackMode == "" {
		t.Error("the child's mode line is missing from the header")
	}
}

// The child is asked for exactly what the parent was, minus the suffix, as
// JSON.
func TestChildArgs(t *testing.T) {
	cfg, err := parseFlags([]string{"-cpu=2,1", "-workload=burst", "-count=5", "-benchtime=10ms", "-size=100", "-q"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.childArgs([]string{"perp", "ring"})
	want := []string{"-format=json", "-q=true", "-workload=burst", "-impl=perp,ring",
		"-cpu=2,1", "-count=5", "-benchtime=10ms", "-size=100", "-kvlive=67108864"}
	if !slices.Equal(got, want) {
		t.Errorf("childArgs = %q, want %q", got, want)
	}
}

// A contender built on the rseq library (Fallback set) is run twice by
// -impl all: here, and as NAME/fallback in the child.
func TestAllRunsFallbackTwice(t *testing.T) {
	saved := contenders
	t.Cleanup(func() { contenders = saved })
	register(Contender{Name: "rseqlike", Fallback: true, NewPool: newMutexPool})
	if names := contenderNames(); !slices.Contains(names, "rseqlike") || !slices.Contains(names, "rseqlike/fallback") {
		t.Fatalf("-impl all = %q", names)
	}
	cfg, err := parseFlags([]string{"-workload=pair,replay", "-cpu=1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, fallbacks := plan(cfg)
	if !slices.Contains(fallbacks, "rseqlike") || slices.ContainsFunc(fallbacks, func(n string) bool {
		return n != referenceImpl && (lookupContender(n) == nil || !lookupContender(n).Fallback)
	}) {
		t.Errorf("fallback child runs %q, want rseqlike and only contenders marked Fallback (and sync.Pool)", fallbacks)
	}
	if !slices.ContainsFunc(cells, func(c cell) bool { return c.impl.Name == "rseqlike" && c.workload.Name == "pair" }) ||
		slices.ContainsFunc(cells, func(c cell) bool { return c.impl.Name == "rseqlike" && c.workload.Name == "replay" }) {
		t.Errorf("cells: %v", cells)
	}
}

// The fallback child runs sync.Pool too, as the fallback rows' reference,
// when the parent runs it, and not otherwise.
func TestChildRunsTheReference(t *testing.T) {
	for _, tc := range []struct {
		impl string
		want []string
	}{
		{"syncpool,alloc,alloc/fallback", []string{"alloc", referenceImpl}},
		{"alloc/fallback,syncpool/fallback,syncpool", []string{"alloc", referenceImpl}},
		{"alloc,alloc/fallback", []string{"alloc"}}, // no sync.Pool anywhere
		{"syncpool,alloc", nil}, // no child
	} {
		cfg, err := parseFlags([]string{"-workload=pair", "-cpu=1", "-impl=" + tc.impl}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, fallbacks := plan(cfg); !slices.Equal(fallbacks, tc.want) {
			t.Errorf("-impl %s: the child runs %q, want %q", tc.impl, fallbacks, tc.want)
		}
	}
}
