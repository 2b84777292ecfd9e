//go:build linux && (amd64 || arm64)

package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gorseq/percpu/internal/testmain"
)

// wantEnv names, in the command norseq runs, the errno rseq(2) must fail
// with there.
const wantEnv = "NORSEQ_TEST_WANT"

// rawRseq calls rseq(2) with no area: a kernel that has it answers EINVAL,
// a filter its own errno.
func rawRseq() syscall.Errno {
	_, _, e := unix.Syscall6(unix.SYS_RSEQ, 0, 0, 0, 0, 0, 0)
	return e
}

// TestCommandRunsFiltered runs this test binary as norseq, which runs this
// test binary again, as TestHelperFiltered, in a grandchild that must see
// rseq(2) fail with the errno asked for, with a grandchild of its own to
// show that the processes the command starts inherit the filter.
func TestCommandRunsFiltered(t *testing.T) {
	testmain.SkipChildrenUnderQEMU(t)
	for name, errno := range errnos {
		cmd := exec.Command(os.Args[0], "-errno", name, os.Args[0], "-test.run=^TestHelperFiltered$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), asCommand+"=1", wantEnv+"="+name)
		out, err := cmd.CombinedOutput()
		switch {
		case errors.Is(err, syscall.ENOEXEC):
			// Under qemu-user without binfmt, this binary cannot be run
			// as a child process at all.
			t.Skipf("this test binary cannot start itself here: %v", err)
		case err == nil && strings.Count(string(out), "--- PASS: TestHelperFiltered") == 2:
		case strings.Contains(string(out), "seccomp: prctl(") || strings.Contains(string(out), "seccomp: seccomp("):
			t.Skipf("no seccomp filter can be installed here (qemu-user, a sandbox):\n%s", out)
		default:
			t.Errorf("norseq -errno %s (%v): want rseq(2) to fail with %v in the command and its child:\n%s", name, err, errno, out)
		}
	}
}

// TestHelperFiltered is the command TestCommandRunsFiltered runs under
// norseq: rseq(2) must fail with the errno wantEnv names, here and in a
// child process.
func TestHelperFiltered(t *testing.T) {
	name := os.Getenv(wantEnv)
	if name == "" {
		t.Skip("runs only under norseq, from TestCommandRunsFiltered")
	}
	if got, want := rawRseq(), errnos[name]; got != want {
		t.Fatalf("rseq(2) fails with %v under norseq -errno %s, want %v", got, name, want)
	}
	if os.Getenv("NORSEQ_TEST_CHILD") == "" {
		// The command's own children inherit the filter.
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFiltered$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "NORSEQ_TEST_CHILD=1")
		out, err := cmd.CombinedOutput()
		os.Stdout.Write(out)
		if err != nil {
			t.Fatalf("the command's child: %v", err)
		}
	}
}
