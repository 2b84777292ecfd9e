//go:build linux && (amd64 || arm64)

package seccomp_test

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gorseq/percpu/internal/seccomp"
	"github.com/gorseq/percpu/internal/testmain"
)

// Environment of the children of TestBlockRseq.
const (
	childEnv    = "SECCOMP_TEST_BLOCK_WITH" // the errno to block rseq(2) with
	reexecEnv   = "SECCOMP_TEST_REEXECUTED" // "1" after the re-execution
	passMessage = "--- PASS: TestHelperBlockRseq"
)

var errnos = map[string]syscall.Errno{"ENOSYS": unix.ENOSYS, "EPERM": unix.EPERM}

// rawRseq calls rseq(2) with no area and returns its errno. The kernel
// refuses a null area with EINVAL; a blocked call fails with the filter's
// errno instead.
func rawRseq() syscall.Errno {
	_, _, e := unix.Syscall6(unix.SYS_RSEQ, 0, 0, 0, 0, 0, 0)
	return e
}

// TestBlockRseq blocks rseq(2) in child processes, one per errno, so this
// process keeps its own filters. Each child checks the errno from inside,
// before and after re-executing itself.
func TestBlockRseq(t *testing.T) {
	testmain.SkipChildrenUnderQEMU(t)
	want := unix.EINVAL
	if name := testmain.RseqBlocked(); name != "" {
		// Already filtered: the newest filter's errno wins in the children.
		want = errnos[name]
	}
	// sandboxed: rseq(2) is refused by something this process did not set
	// up, a sandbox's own filter (gVisor, a container's seccomp profile).
	sandboxed := false
	switch got := rawRseq(); {
	case got == unix.ENOSYS && want == unix.EINVAL:
		t.Skip("rseq(2) is missing here (an old kernel or qemu-user): a filter is not observable")
	case got != want && want == unix.EINVAL:
		// The children's filters are newer than the sandbox's, and the
		// newest filter's errno wins, so they still observe their own.
		t.Logf("rseq(2) with no area fails with %v before any filter of this test: refused by the sandbox", got)
		sandboxed = true
	case got != want:
		t.Fatalf("rseq(2) with no area fails with %v before any filter of this test, want %v", got, want)
	}
	for name := range errnos {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperBlockRseq$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), childEnv+"="+name)
		out, err := cmd.CombinedOutput()
		switch {
		case err == nil && strings.Contains(string(out), passMessage):
		case sandboxed && filterRefused(string(out)):
			// A sandbox may forbid filters of its own.
			t.Skipf("the sandbox refuses a seccomp filter:\n%s", out)
		default:
			t.Errorf("child blocking with %s: %v\n%s", name, err, out)
		}
	}
}

// filterRefused reports whether a child's output says that its filter
// could not be installed (the errors of BlockRseqAndExec's prctl and
// seccomp calls), rather than that it misbehaved once installed.
func filterRefused(out string) bool {
	return strings.Contains(out, "seccomp: prctl(") || strings.Contains(out, "seccomp: seccomp(")
}

// TestHelperBlockRseq is the child of TestBlockRseq. It blocks rseq(2) and
// re-executes itself, then checks the errno from inside the new image.
func TestHelperBlockRseq(t *testing.T) {
	name := os.Getenv(childEnv)
	if name == "" {
		t.Skip("runs only as a child of TestBlockRseq")
	}
	errno, ok := errnos[name]
	if !ok {
		t.Fatalf("%s=%q: want ENOSYS or EPERM", childEnv, name)
	}
	if os.Getenv(reexecEnv) != "1" {
		err := seccomp.BlockRseqAndExec(errno, "/proc/self/exe", os.Args, append(os.Environ(), reexecEnv+"=1"))
		t.Fatalf("BlockRseqAndExec: %v", err)
	}

	checkRseq(t, errno, "after re-executing")
}

// checkRseq fails the test unless rseq(2) fails with want.
func checkRseq(t *testing.T, want syscall.Errno, when string) {
	t.Helper()
	if got := rawRseq(); got != want {
		t.Fatalf("rseq(2) %s fails with %v, want %v", when, got, want)
	}
}

// TestBlockRseqRejectsErrno checks that an errno a filter cannot return is
// refused before anything is installed.
func TestBlockRseqRejectsErrno(t *testing.T) {
	before := rawRseq()
	for _, errno := range []syscall.Errno{0, 4096} {
		if err := seccomp.BlockRseqAndExec(errno, "/bin/false", nil, nil); err == nil {
			t.Errorf("BlockRseqAndExec(%d) = nil, want an error", errno)
		}
	}
	if after := rawRseq(); after != before {
		t.Errorf("rseq(2) fails with %v after the refused calls, %v before", after, before)
	}
}
