package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gorseq/percpu/tools/kernelmatrix/guest"
)

// modeEnv is the environment each mode adds to the test binary's.
var modeEnv = map[string][]string{
	"rseq":   nil,
	"off":    {"PERCPU_RSEQ=off"},
	"enosys": {"PERCPU_TEST_BLOCK_RSEQ=ENOSYS"},
	"eperm":  {"PERCPU_TEST_BLOCK_RSEQ=EPERM"},
}

// row is one boot: a test binary run in one mode on one kernel.
type row struct {
	Kernel kernel
	Mode   string
	Pkg    testPackage
	Note   string        // how the run differed from what was asked
	Wall   time.Duration // the whole boot, host-measured
	Out    outcome
	Log    string // the console log's path in the work directory
}

// matrix holds what the runs share.
type matrix struct {
	opts    options
	workDir string
	inits   map[string]string                 // arch → init binary
	tests   map[string]map[testPackage]string // arch → package → test binary
	seccomp map[testPackage]bool              // whether the package links the seccomp harness
	log     io.Writer
}

// runAll boots every row in turn (one at a time: TCG keeps both CPUs busy)
// and returns them in the order run.
func (mx *matrix) runAll(kernels []kernel) ([]row, error) {
	var rows []row
	total := len(kernels) * len(mx.opts.Pkgs) * len(mx.opts.Modes)
	for _, k := range kernels {
		for _, pkg := range mx.opts.Pkgs {
			for _, mode := range mx.opts.Modes {
				r := row{Kernel: k, Mode: mode, Pkg: pkg}
				fmt.Fprintf(mx.log, "[%d/%d] %s %s %s %s: ", len(rows)+1, total, k.Series, k.Arch, mode, pkg.Name)
				if err := mx.runOne(&r); err != nil {
					fmt.Fprintln(mx.log, "error")
					return rows, err
				}
				if diedBeforeTest(r.Out) {
					first := r.Out.Panic
					fmt.Fprintf(mx.log, "the kernel panicked before the test began (%s); booting again: ", first)
					if err := mx.runOne(&r); err != nil {
						fmt.Fprintln(mx.log, "error")
						return rows, err
					}
					r.Note = strings.TrimPrefix(r.Note+"; booted twice: the first boot's kernel panicked before the test began ("+first+")", "; ")
				}
				fmt.Fprintf(mx.log, "%s in %s%s\n", r.Out.Verdict, r.Wall.Round(time.Second), suffix(r.Out.Detail))
				rows = append(rows, r)
			}
		}
	}
	return rows, nil
}

func (mx *matrix) runOne(r *row) error {
	token, err := newToken()
	if err != nil {
		return err
	}
	mode := r.Mode
	if (mode == "enosys" || mode == "eperm") && !mx.seccomp[r.Pkg] {
		mode = "off"
		r.Note = "its tests lack the seccomp harness: ran with PERCPU_RSEQ=off"
	}
	env := []string{"PATH=/test:/", "HOME=/tmp", "TMPDIR=/tmp"}
	env = append(env, modeEnv[mode]...)
	env = append(env, mx.opts.Env...)
	cfg := guest.Config{
		Token:  token,
		Name:   r.Pkg.Name,
		Binary: "/test/" + r.Pkg.file(),
		Args:   testArgs(mx.opts),
		Env:    env,
		Dir:    "/tmp",
	}
	base := fmt.Sprintf("%s-%s-%s-%s", r.Kernel.Series, r.Kernel.Arch, r.Pkg.Name, r.Mode)
	initrd := filepath.Join(mx.workDir, base+".cpio")
	if err := writeInitramfs(initrd, mx.inits[r.Kernel.Arch], mx.tests[r.Kernel.Arch][r.Pkg], cfg); err != nil {
		return err
	}
	var live io.Writer
	if mx.opts.Verbose {
		live = mx.log
		fmt.Fprintln(mx.log)
	}
	m := machines[r.Kernel.Arch]
	res, err := boot(m, r.Kernel.Image, initrd, mx.opts.Mem, mx.opts.Timeout, live)
	if err != nil {
		return err
	}
	if mx.opts.Keep {
		// Enough to boot it again by hand.
		cmdline := shellQuote(append([]string{m.Binary}, m.qemuArgs(r.Kernel.Image, initrd, mx.opts.Mem)...))
		if err := os.WriteFile(filepath.Join(mx.workDir, base+".sh"), []byte(cmdline+"\n"), 0o755); err != nil {
			return err
		}
	} else {
		os.Remove(initrd) // tens of megabytes, and each run has its own
	}
	r.Wall = res.Wall
	r.Out = parseConsole(res.Console, token, r.Pkg.Name, res.TimedOut)
	r.Log = filepath.Join(mx.workDir, base+".log")
	return os.WriteFile(r.Log, res.Console, 0o644)
}

// testArgs are the test binary's flags: verbose, short unless -full, the
// -run and -skip filters, and a test timeout inside the boot's, so that a hung test
// panics with its goroutines' stacks before qemu is killed.
func testArgs(opts options) []string {
	args := []string{"-test.v"}
	if !opts.Full {
		args = append(args, "-test.short")
	}
	if opts.Run != "" {
		args = append(args, "-test.run", opts.Run)
	}
	if opts.Skip != "" {
		args = append(args, "-test.skip", opts.Skip)
	}
	testTimeout := opts.Timeout - 30*time.Second
	if testTimeout < 10*time.Second {
		testTimeout = 10 * time.Second
	}
	return append(args, "-test.timeout", testTimeout.String())
}

func newToken() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func suffix(detail string) string {
	if detail == "" {
		return ""
	}
	return ": " + detail
}
