package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/gorseq/percpu/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Run(m) }

// helperEnv, when set, makes TestHelperAllocbench run allocbench with the
// arguments after "--": the test binary stands in for the real one as the
// fallback child.
const helperEnv = "ALLOCBENCH_TEST_HELPER"

func TestHelperAllocbench(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("runs only as a child of the fallback test")
	}
	if got := os.Getenv(rseqEnv); got != rseqOff {
		fmt.Fprintf(os.Stderr, "child: %s=%q, want %q\n", rseqEnv, got, rseqOff)
		os.Exit(3)
	}
	os.Exit(run(flag.Args(), os.Stdout, os.Stderr))
}

// useTestBinaryAsChild makes fallback children run TestHelperAllocbench
// until the test ends. It skips the test where the binary cannot run
// itself: under qemu-user (see testmain.SkipChildrenUnderQEMU), and where
// exec reports an exec format error (qemu-user without binfmt_misc).
func useTestBinaryAsChild(t *testing.T) {
	testmain.SkipChildrenUnderQEMU(t)
	if err := exec.Command(os.Args[0], "-test.run=^$").Run(); errors.Is(err, syscall.ENOEXEC) {
		t.Skipf("cannot re-execute the test binary: %v", err)
	}
	saved := selfCommand
	t.Cleanup(func() { selfCommand = saved })
	selfCommand = func(args []string) (*exec.Cmd, error) {
		cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperAllocbench$", "--"}, args...)...)
		cmd.Env = append(os.Environ(), helperEnv+"=1")
		return cmd, nil
	}
}

// runAllocbench runs allocbench in this process and returns its exit
// status and output.
func runAllocbench(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	status = run(args, &out, &errs)
	return status, out.String(), errs.String()
}

// quick is a command line that measures next to nothing.
var quick = []string{"-q", "-count=1", "-benchtime=1ms", "-cpu=1,2", "-kvlive=8MiB"}

// mustRun runs allocbench with quick and args and fails the test unless it
// succeeds.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	status, stdout, stderr := runAllocbench(t, append(append([]string{}, quick...), args...)...)
	if status != exitOK {
		t.Fatalf("allocbench %q: exit status %d\n%s", args, status, stderr)
	}
	return stdout
}
