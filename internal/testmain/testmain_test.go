package testmain

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

func TestMain(m *testing.M) { Run(m) }

func TestRequestedErrno(t *testing.T) {
	for _, tc := range []struct {
		value string
		errno syscall.Errno
		err   string
	}{
		{"", 0, ""},
		{"ENOSYS", syscall.ENOSYS, ""},
		{"EPERM", syscall.EPERM, ""},
		{"enosys", 0, `PERCPU_TEST_BLOCK_RSEQ="enosys": want ENOSYS or EPERM`},
		{"1", 0, `PERCPU_TEST_BLOCK_RSEQ="1": want ENOSYS or EPERM`},
	} {
		t.Setenv(EnvBlock, tc.value)
		errno, err := requestedErrno()
		if errno != tc.errno || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("%s=%q: requestedErrno() = %v, %v; want %v, %q", EnvBlock, tc.value, errno, err, tc.errno, tc.err)
		}
	}
}

// TestBlockInChild runs this test binary with each value of EnvBlock and
// checks how it ends: blocked and passing TestRseqBlocked, refused with
// status 1 where no filter can be installed, or refused with status 2 for a
// bad value.
func TestBlockInChild(t *testing.T) {
	type outcome struct {
		status int
		output string
	}
	want := map[string]outcome{
		"EAGAIN": {2, `testmain: PERCPU_TEST_BLOCK_RSEQ="EAGAIN": want ENOSYS or EPERM`},
	}
	for name := range errnos {
		switch {
		case !filterable:
			want[name] = outcome{1, "refusing to run the tests with rseq(2) unblocked"}
		case rseqMissing():
			t.Logf("%s: not tried, rseq(2) is missing here", name)
		default:
			want[name] = outcome{0, "--- PASS: TestRseqBlocked"}
		}
	}
	for value, w := range want {
		status, output := runChild(t, value)
		if status != w.status || !strings.Contains(output, w.output) {
			t.Errorf("%s=%s: exit status %d, want %d with %q in the output:\n%s", EnvBlock, value, status, w.status, w.output, output)
		}
	}
}

// runChild runs TestRseqBlocked in a fresh process of this test binary with
// EnvBlock set to value, and returns its exit status and output. It skips
// the test where the binary cannot run itself (qemu-user without
// binfmt_misc).
func runChild(t *testing.T, value string) (status int, output string) {
	t.Helper()
	SkipChildrenUnderQEMU(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRseqBlocked$", "-test.count=1", "-test.v")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, EnvBlock+"=") && !strings.HasPrefix(kv, EnvApplied+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, EnvBlock+"="+value)
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case errors.Is(err, syscall.ENOEXEC):
		t.Skipf("cannot re-execute the test binary: %v", err)
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), string(out)
	case err != nil:
		t.Fatalf("%s=%s: %v", EnvBlock, value, err)
	}
	return 0, string(out)
}
