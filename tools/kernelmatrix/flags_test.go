package main

import (
	"io"
	"slices"
	"testing"
	"time"
)

func TestFlagDefaults(t *testing.T) {
	o, err := parseFlags([]string{"-cache", "/c"}, true, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.Kernels, []string{"6.1", "6.12"}) || !slices.Equal(o.Arches, []string{"amd64", "arm64"}) {
		t.Errorf("kernels %v arches %v", o.Kernels, o.Arches)
	}
	if len(o.Pkgs) != 3 || o.Pkgs[0].Name != "rseq" || o.Pkgs[0].file() != "rseq.test" ||
		o.Pkgs[1].Name != "slab" || o.Pkgs[2].Name != "alloc" {
		t.Errorf("pkgs %+v", o.Pkgs)
	}
	// "blocked" means the seccomp harness where the module has it.
	if !slices.Equal(o.Modes, []string{"rseq", "enosys"}) {
		t.Errorf("modes %v", o.Modes)
	}
	if o.Full || o.Skip != defaultSkip || o.Timeout != defaultTimeout {
		t.Errorf("full %v skip %q timeout %v", o.Full, o.Skip, o.Timeout)
	}
}

func TestFlagBlockedWithoutHarness(t *testing.T) {
	o, err := parseFlags([]string{"-cache", "/c", "-modes", "blocked"}, false, io.Discard)
	if err != nil || !slices.Equal(o.Modes, []string{"off"}) {
		t.Fatalf("modes %v, %v; want [off]", o.Modes, err)
	}
	if _, err := parseFlags([]string{"-cache", "/c", "-modes", "enosys"}, false, io.Discard); err == nil {
		t.Fatal("enosys accepted without the harness")
	}
}

func TestFlagFull(t *testing.T) {
	o, err := parseFlags([]string{"-cache", "/c", "-full"}, true, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Run != "" || o.Skip != "" || o.Timeout != fullTimeout {
		t.Errorf("-full: run %q skip %q timeout %v", o.Run, o.Skip, o.Timeout)
	}
	o, _ = parseFlags([]string{"-cache", "/c", "-full", "-skip", "X", "-timeout", "1m"}, true, io.Discard)
	if o.Skip != "X" || o.Timeout != time.Minute {
		t.Errorf("-full with -skip X -timeout 1m: skip %q timeout %v", o.Skip, o.Timeout)
	}
}

func TestFlagSelftest(t *testing.T) {
	o, err := parseFlags([]string{"-cache", "/c", "-selftest-fail", "-pkgs", "./slab/"}, true, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Pkgs) != 1 || o.Pkgs[0].Pattern != failingPackage || o.Pkgs[0].Name != "failing" {
		t.Errorf("pkgs %+v", o.Pkgs)
	}
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-kernels", "5.10"},
		{"-arch", "riscv64"},
		{"-pkgs", "./..."},
		{"-pkgs", "./a/x,./b/x"},
		{"-modes", "sometimes"},
		{"-format", "html"},
		{"-timeout", "5s"},
		{"-env", "NOEQUALS"},
		{"-mem", "lots"},
		{"-mem", "G"},
		{"-modes", ""},
		{"stray"},
	} {
		if _, err := parseFlags(append([]string{"-cache", "/c"}, args...), true, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

func TestModeList(t *testing.T) {
	for _, c := range []struct {
		modes       string
		hasTestmain bool
		want        []string
	}{
		{"rseq,blocked,off", true, []string{"rseq", "enosys", "off"}},
		{"rseq,blocked,off", false, []string{"rseq", "off"}}, // blocked is off: once
		{"enosys blocked eperm", true, []string{"enosys", "eperm"}},
		{"", true, nil},
	} {
		got, err := modeList(split(c.modes), c.hasTestmain)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("modeList(%q, %v) = %v, %v; want %v", c.modes, c.hasTestmain, got, err, c.want)
		}
	}
	if _, err := modeList([]string{"eperm"}, false); err == nil {
		t.Error("eperm accepted without the harness")
	}
}
