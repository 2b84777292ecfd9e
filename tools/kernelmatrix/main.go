// Command kernelmatrix runs the module's tests on real Linux kernels: the
// Debian kernels 6.1 and 6.12, for amd64 and arm64, booted under
// qemu-system with full emulation (TCG), each with a package's test binary
// as its only program.
//
//	go run ./tools/kernelmatrix                      # the default matrix
//	go run ./tools/kernelmatrix -format markdown     # the support table for the docs
//	go run ./tools/kernelmatrix -selftest-fail       # prove that a failure is reported
//
// The host runs one kernel, and qemu-user implements no rseq(2), so
// restartable sequences on other kernels and on arm64 can only be tested by
// booting those kernels. For each kernel × architecture × mode × package the
// runner makes one boot:
//
//   - apt.go, kernels.go: the kernel comes from the configured Debian
//     sources. The metapackage (linux-image-amd64 for 6.1,
//     linux-image-6.12-arm64 for 6.12, ...) names the real image package;
//     apt-get download fetches it and boot/vmlinuz-* is taken out of it into
//     a cache that later runs reuse. qemu is installed with apt-get when
//     missing.
//   - build.go: the test binary is built with CGO_ENABLED=0 GOARCH=<arch>
//     go test -c, so it is static, and so is the PID-1 program in initprog.
//   - initrd.go, cpio.go: both go into a newc cpio archive written here,
//     with the run's configuration (package guest): arguments, environment
//     and a random token.
//   - qemu.go: qemu-system boots the kernel with that initramfs; init runs
//     the tests, prints KMATRIX-EXIT <token> <package> <status>, the kernel
//     log lines that mention rseq, drains the console and powers off. The
//     host kills qemu after -timeout.
//   - console.go: the verdict comes only from the EXIT marker parsed from
//     the console: qemu exits 0 even when the kernel panicked. The parser
//     also picks out the status line of TestModeMatchesEnvironment (which
//     registration, which index) and sums the aborts the stress tests log.
//     A boot whose kernel panicked before the test binary began (TCG once
//     oopsed in the kernel's own text patching) is booted once more, and
//     the report's notes say so; a failure with a Go panic prints the
//     goroutines it dumped.
//   - report.go: a table for the terminal, or markdown for the docs.
//
// Each binary runs in two modes by default: "rseq", as it would on a host,
// and "blocked", where the seccomp harness (internal/testmain) makes rseq(2)
// fail with ENOSYS, so the fallback's detection runs against a real kernel.
// The exit status is 0 only if every run passed; -selftest-fail runs a
// package whose test always fails to show that the path reports it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitPass  = 0 // every run passed
	exitFail  = 1 // a run failed or timed out
	exitSetup = 2 // the matrix could not be set up
)

func realMain(args []string, stdout, stderr io.Writer) int {
	start := time.Now()
	modRoot, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(stderr, "kernelmatrix:", err)
		return exitSetup
	}
	_, statErr := os.Stat(filepath.Join(modRoot, "internal", "testmain"))
	opts, err := parseFlags(args, statErr == nil, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitPass
	}
	if err != nil {
		fmt.Fprintln(stderr, "kernelmatrix:", err)
		return exitSetup
	}
	rows, workDir, err := runMatrix(opts, modRoot, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kernelmatrix:", err)
		if workDir != "" {
			fmt.Fprintln(stderr, "kernelmatrix: work directory kept:", workDir)
		}
		return exitSetup
	}
	if !opts.Keep {
		defer os.RemoveAll(workDir)
	}

	var boots time.Duration
	for _, r := range rows {
		boots += r.Wall
	}
	failed := 0
	for _, r := range rows {
		if r.Out.Verdict != verdictPass {
			failed++
			showFailure(stderr, r, opts.Keep)
		}
	}
	fmt.Fprintf(stderr, "\n%d runs, %d not passed; boots took %s, everything %s\n",
		len(rows), failed, wall(boots), wall(time.Since(start)))
	if opts.Keep {
		fmt.Fprintln(stderr, "work directory kept:", workDir)
	}
	if opts.Format == "markdown" || opts.Update != "" {
		var md strings.Builder
		command := strings.TrimSpace("go run ./tools/kernelmatrix " + shellQuote(args))
		writeMarkdown(&md, rows, command, testArgs(opts))
		if opts.Format == "markdown" {
			fmt.Fprint(stdout, md.String())
		}
		if opts.Update != "" {
			if err := updateFile(opts.Update, []byte(md.String())); err != nil {
				fmt.Fprintln(stderr, "kernelmatrix: -update:", err)
				return exitSetup
			}
			fmt.Fprintln(stderr, "updated", opts.Update)
		}
	}
	if opts.Format != "markdown" {
		writeTable(stdout, rows)
	}
	if opts.Selftest {
		if failed == len(rows) {
			fmt.Fprintln(stderr, "selftest: every run of the always-failing test came out as a failure, as it must")
		} else {
			fmt.Fprintln(stderr, "selftest: BROKEN: a run of the always-failing test came out PASS")
		}
	}
	if failed > 0 {
		return exitFail
	}
	return exitPass
}

// runMatrix sets up the tools, kernels and binaries, then boots every row.
// It returns the work directory even on error, for the caller to report.
func runMatrix(opts options, modRoot string, log io.Writer) ([]row, string, error) {
	a, err := newApt(log)
	if err != nil {
		return nil, "", err
	}
	for _, arch := range opts.Arches {
		if err := ensureQemu(a, machines[arch]); err != nil {
			return nil, "", err
		}
	}
	var kernels []kernel
	for _, series := range opts.Kernels {
		for _, arch := range opts.Arches {
			k, err := fetchKernel(a, opts.Cache, series, arch)
			if err != nil {
				return nil, "", err
			}
			fmt.Fprintf(log, "kernel %s/%s: %s %s (%s)\n", series, arch, k.Package, k.Version, k.Image)
			kernels = append(kernels, k)
		}
	}
	workDir, err := os.MkdirTemp("", "kernelmatrix-")
	if err != nil {
		return nil, "", err
	}
	mx := &matrix{
		opts: opts, workDir: workDir, log: log,
		inits:   map[string]string{},
		tests:   map[string]map[testPackage]string{},
		seccomp: map[testPackage]bool{},
	}
	b := builder{modRoot: modRoot, outDir: filepath.Join(workDir, "bin")}
	for _, arch := range opts.Arches {
		fmt.Fprintf(log, "build %s: init and %d test binaries\n", arch, len(opts.Pkgs))
		if mx.inits[arch], err = b.buildInit(arch); err != nil {
			return nil, workDir, err
		}
		mx.tests[arch] = map[testPackage]string{}
		for _, pkg := range opts.Pkgs {
			if mx.tests[arch][pkg], err = b.buildTest(arch, pkg); err != nil {
				return nil, workDir, err
			}
		}
	}
	for _, pkg := range opts.Pkgs {
		if mx.seccomp[pkg], err = b.usesTestmain(pkg); err != nil {
			return nil, workDir, err
		}
	}
	rows, err := mx.runAll(kernels)
	return rows, workDir, err
}

// ensureQemu installs the machine's qemu-system package when its binary is
// missing.
func ensureQemu(a *apt, m machine) error {
	if _, err := exec.LookPath(m.Binary); err == nil {
		return nil
	}
	if err := a.install(m.Package); err != nil {
		return fmt.Errorf("%s is missing and installing %s failed: %w", m.Binary, m.Package, err)
	}
	_, err := exec.LookPath(m.Binary)
	return err
}

// showFailure prints what each failed test printed, then the end of a
// failed run's console.
func showFailure(w io.Writer, r row, kept bool) {
	fmt.Fprintf(w, "\n--- %s %s %s %s: %s: %s\n", upstream(r.Kernel), r.Kernel.Arch, r.Mode, r.Pkg.Name, r.Out.Verdict, r.Out.Detail)
	for _, f := range r.Out.FailedOutput {
		fmt.Fprintf(w, "output of %s (its last %d lines at most):\n", f.Test, maxTestLines)
		fmt.Fprintln(w, indent(strings.Join(f.Lines, "\n")))
	}
	if kept {
		fmt.Fprintln(w, "console:", r.Log)
		return
	}
	b, err := os.ReadFile(r.Log)
	if err != nil {
		fmt.Fprintln(w, err)
		return
	}
	lines := consoleLines(b)
	if dump := goPanicDump(lines); dump != nil {
		// A test timeout or a crash: the goroutines at that moment are
		// what explains a hang, and the console's tail has only the last.
		fmt.Fprintf(w, "the Go panic and the goroutines it printed (%d lines, at most %d):\n", len(dump), maxDumpLines)
		fmt.Fprintln(w, indent(strings.Join(dump, "\n")))
		return
	}
	fmt.Fprintln(w, "last lines of the console:")
	fmt.Fprintln(w, indent(tail(strings.Join(lines, "\n"), 30)))
}
