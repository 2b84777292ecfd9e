package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Defaults. One boot of a package with these took 8–41 s here, the whole
// default matrix (24 boots, kernels downloaded) about 9 minutes; see
// docs/kernels.md.
const (
	defaultKernels = "6.1,6.12"
	defaultArches  = "amd64,arm64"
	defaultPkgs    = "./rseq/,./slab/,./alloc/"
	defaultModes   = "rseq,blocked"
	defaultTimeout = 4 * time.Minute
	fullTimeout    = 20 * time.Minute
)

// The default -test.run and -test.skip filters: every test runs. (Until
// TestFenceManager counted its rounds in calls rather than yields it took
// minutes per boot under TCG and was skipped here; it now takes 0.2 s.)
const (
	defaultRun  = ""
	defaultSkip = ""
)

// failingPackage is the package -selftest-fail runs: its only test fails.
const failingPackage = "./tools/kernelmatrix/testdata/failing/"

// options are the parsed command line.
type options struct {
	Kernels  []string
	Arches   []string
	Pkgs     []testPackage
	Modes    []string // resolved: rseq, off, enosys, eperm
	Run      string   // -test.run filter ("" runs every test)
	Skip     string   // -test.skip filter ("" skips none)
	Env      []string // extra environment for every test binary
	Timeout  time.Duration
	Mem      string // guest RAM, qemu's -m
	Full     bool   // no -test.short
	Format   string
	Keep     bool
	Cache    string
	Verbose  bool
	Selftest bool
	Update   string // a file whose generated section gets the markdown table
}

// testPackage is one package whose tests run in the guest.
type testPackage struct {
	Pattern string // as given: ./rseq/
	Name    string // the last element, for tables, markers and files: rseq
}

func newTestPackage(pattern string) testPackage {
	return testPackage{Pattern: pattern, Name: path.Base(strings.Trim(filepath.ToSlash(pattern), "/"))}
}

// file is the test binary's file name.
func (p testPackage) file() string { return p.Name + ".test" }

// parseFlags parses the command line; hasTestmain says whether the module
// has the seccomp harness. Usage and flag errors go to out.
func parseFlags(args []string, hasTestmain bool, out io.Writer) (options, error) {
	var o options
	fs, lists := newFlagSet(&o, out)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := o.resolveLists(lists, hasTestmain); err != nil {
		return o, err
	}
	o.applyDefaults(setFlags(fs))
	if err := o.check(); err != nil {
		return o, err
	}
	return o, o.defaultCache()
}

// listFlags are the flags given as lists, resolved after parsing.
type listFlags struct {
	kernels, arches, pkgs, modes, env *string
}

// newFlagSet defines the flags: the plain ones straight into o, the lists
// as text.
func newFlagSet(o *options, out io.Writer) (*flag.FlagSet, listFlags) {
	fs := flag.NewFlagSet("kernelmatrix", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	var l listFlags
	l.kernels = fs.String("kernels", defaultKernels, "kernel series to boot: "+strings.Join(seriesNames(), ", "))
	l.arches = fs.String("arch", defaultArches, "architectures: amd64, arm64")
	l.pkgs = fs.String("pkgs", defaultPkgs, "packages whose tests run, comma or space separated (no ...)")
	l.modes = fs.String("modes", defaultModes, "how each binary runs: rseq, off (PERCPU_RSEQ=off), enosys and eperm\n(seccomp via internal/testmain), blocked (enosys if the harness exists, else off)")
	fs.StringVar(&o.Run, "run", defaultRun, "the tests' -test.run filter; empty runs all")
	fs.StringVar(&o.Skip, "skip", defaultSkip, "the tests' -test.skip filter; empty skips none")
	l.env = fs.String("env", "", "extra KEY=VALUE settings for every test binary, comma separated")
	fs.DurationVar(&o.Timeout, "timeout", 0, fmt.Sprintf("limit for one boot; qemu is killed after it (default %v, %v with -full)", defaultTimeout, fullTimeout))
	fs.StringVar(&o.Mem, "mem", "1G", "guest memory (qemu -m); the initramfs and the tests share it")
	fs.BoolVar(&o.Full, "full", false, "run every test: no -test.short, and no default -run or -skip filter")
	fs.StringVar(&o.Format, "format", "table", "output: table or markdown")
	fs.BoolVar(&o.Keep, "keep", false, "keep the work directory (binaries, initramfs images, console logs)")
	fs.StringVar(&o.Cache, "cache", "", "where kernel images are kept (default $XDG_CACHE_HOME/percpu-kernels)")
	fs.BoolVar(&o.Verbose, "v", false, "copy every console to standard error as it runs")
	fs.StringVar(&o.Update, "update", "", "also write the markdown table into `FILE`, between its\n"+beginMarker+" and "+endMarker+" lines")
	fs.BoolVar(&o.Selftest, "selftest-fail", false, "run only "+failingPackage+", whose test always fails,\nto prove a failure comes out FAIL and a non-zero exit")
	return fs, l
}

// setFlags returns the names of the flags the command line set.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// resolveLists splits and checks the list flags into o.
func (o *options) resolveLists(l listFlags, hasTestmain bool) error {
	var err error
	if o.Kernels, err = kernelList(*l.kernels); err != nil {
		return err
	}
	if o.Arches, err = archList(*l.arches); err != nil {
		return err
	}
	patterns := split(*l.pkgs)
	if o.Selftest {
		patterns = []string{failingPackage}
	}
	if o.Pkgs, err = packageList(patterns); err != nil {
		return err
	}
	if o.Modes, err = modeList(split(*l.modes), hasTestmain); err != nil {
		return err
	}
	o.Env, err = envList(*l.env)
	return err
}

// kernelList splits -kernels and checks that each series is known.
func kernelList(s string) ([]string, error) {
	kernels := split(s)
	for _, k := range kernels {
		if kernelSeries[k] == nil {
			return nil, fmt.Errorf("-kernels: unknown series %q (have %s)", k, strings.Join(seriesNames(), ", "))
		}
	}
	return kernels, nil
}

// archList splits -arch and checks that each architecture is known.
func archList(s string) ([]string, error) {
	arches := split(s)
	for _, a := range arches {
		if _, ok := machines[a]; !ok {
			return nil, fmt.Errorf("-arch: unknown architecture %q (have amd64, arm64)", a)
		}
	}
	return arches, nil
}

// packageList makes the packages of -pkgs, refusing patterns with ... and
// two packages whose names (and so binaries) would be the same.
func packageList(patterns []string) ([]testPackage, error) {
	var pkgs []testPackage
	for _, p := range patterns {
		if strings.Contains(p, "...") {
			return nil, fmt.Errorf("-pkgs: %q: name packages one by one; each becomes its own boot", p)
		}
		pkg := newTestPackage(p)
		for _, q := range pkgs {
			if q.Name == pkg.Name {
				return nil, fmt.Errorf("-pkgs: %s and %s end in the same name; the runner names binaries by it", q.Pattern, p)
			}
		}
		pkgs = append(pkgs, pkg)
	}
	return pkgs, nil
}

// modeList resolves the modes of -modes, once each and in order: blocked
// becomes enosys where the module has the seccomp harness (hasTestmain)
// and off where it does not, and enosys and eperm need the harness.
func modeList(modes []string, hasTestmain bool) ([]string, error) {
	var out []string
	for _, m := range modes {
		switch m {
		case "blocked":
			m = "off"
			if hasTestmain {
				m = "enosys"
			}
		case "enosys", "eperm":
			if !hasTestmain {
				return nil, fmt.Errorf("-modes %s needs the seccomp harness %s, which this module lacks", m, testmainPackage)
			}
		case "rseq", "off":
		default:
			return nil, fmt.Errorf("-modes: unknown mode %q (have rseq, off, enosys, eperm, blocked)", m)
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// envList splits -env and checks that each setting is KEY=VALUE.
func envList(s string) ([]string, error) {
	env := split(s)
	for _, kv := range env {
		if !strings.Contains(kv, "=") {
			return nil, fmt.Errorf("-env: %q is not KEY=VALUE", kv)
		}
	}
	return env, nil
}

// applyDefaults fills in what depends on -full: no default -run or -skip
// filter unless given (set), and the longer default timeout.
func (o *options) applyDefaults(set map[string]bool) {
	if o.Full && !set["run"] {
		o.Run = ""
	}
	if o.Full && !set["skip"] {
		o.Skip = ""
	}
	if o.Timeout == 0 {
		o.Timeout = defaultTimeout
		if o.Full {
			o.Timeout = fullTimeout
		}
	}
}

// check refuses a timeout too short to boot, a malformed -mem or -format,
// and an empty matrix.
func (o *options) check() error {
	if o.Timeout < 20*time.Second {
		return errors.New("-timeout: a boot alone takes several seconds under TCG; give at least 20s")
	}
	if !memRE.MatchString(o.Mem) {
		return fmt.Errorf("-mem: %q is not a size like 1G or 2048M", o.Mem)
	}
	if o.Format != "table" && o.Format != "markdown" {
		return fmt.Errorf("-format: %q is not table or markdown", o.Format)
	}
	if len(o.Kernels) == 0 || len(o.Arches) == 0 || len(o.Pkgs) == 0 || len(o.Modes) == 0 {
		return errors.New("nothing to run: -kernels, -arch, -pkgs and -modes must each name at least one")
	}
	return nil
}

// defaultCache sets the kernel cache to the user's cache directory unless
// -cache named one.
func (o *options) defaultCache() error {
	if o.Cache != "" {
		return nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return fmt.Errorf("no cache directory (%v): give -cache", err)
	}
	o.Cache = filepath.Join(dir, "percpu-kernels")
	return nil
}

// memRE matches the sizes -mem accepts: a number of MiB, or K, M, G, T.
var memRE = regexp.MustCompile(`^[1-9][0-9]*[KMGT]?$`)

// split splits a list on commas and white space.
func split(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

const usage = `usage: go run ./tools/kernelmatrix [flags]

Boots Debian kernels under qemu-system (TCG) with a package's static test
binary as the initramfs, once per kernel × architecture × mode × package,
and prints what each run said. Run it as root from the module: it installs
qemu and downloads kernels with apt. Exit status: 0 if every run passed, 1
if one did not, 2 if the matrix could not be set up.

`
