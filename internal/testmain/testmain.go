package testmain

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"

	"go.uber.org/goleak"

	"github.com/gorseq/percpu/internal/seccomp"
)

// Environment variables that control the blocking.
const (
	// EnvBlock asks Run to block rseq(2) with the errno it names: ENOSYS
	// or EPERM.
	EnvBlock = "PERCPU_TEST_BLOCK_RSEQ"
	// EnvApplied is set to "1" in the re-executed test binary, whose
	// process carries the filter.
	EnvApplied = "PERCPU_TEST_BLOCK_RSEQ_APPLIED"
)

// errnos are the errnos EnvBlock may name.
var errnos = map[string]syscall.Errno{"ENOSYS": syscall.ENOSYS, "EPERM": syscall.EPERM}

// Run runs the tests of m and exits. If EnvBlock asks for it, it first
// blocks rseq(2) and re-executes the test binary. After the tests it fails
// them if goroutines other than those that opts ignore are still running.
//
// Run exits with status 2 if EnvBlock holds anything but ENOSYS or EPERM,
// and with status 1 if the filter cannot be installed or the binary cannot
// be re-executed: it never runs the tests unblocked when asked to block.
//
// The main goroutine keeps the main thread for itself while the tests run.
// In a PIE binary without cgo the dynamic loader has already registered an
// rseq area of its own on that thread, so ours cannot be registered there
// and every goroutine that runs on it takes the fallback shards; a test of
// per-CPU behaviour that happened to be scheduled there would see shards
// where it expects stacks (CI's -buildmode=pie step failed that way, one
// run in several). Locked here, the main thread runs nothing but Run.
func Run(m *testing.M, opts ...goleak.Option) {
	runtime.LockOSThread()
	errno, err := requestedErrno()
	if err != nil {
		exit(2, err)
	}
	if errno != 0 && os.Getenv(EnvApplied) != "1" {
		exit(1, blockAndReexec(errno))
	}
	goleak.VerifyTestMain(m, opts...)
}

// RseqBlocked returns the name of the errno rseq(2) is blocked with in this
// process ("ENOSYS" or "EPERM"), or "" if Run has not blocked it.
func RseqBlocked() string {
	if _, err := requestedErrno(); err != nil || os.Getenv(EnvApplied) != "1" {
		return ""
	}
	return os.Getenv(EnvBlock)
}

// requestedErrno returns the errno EnvBlock names, or 0 if it is unset or
// empty.
func requestedErrno() (syscall.Errno, error) {
	name := os.Getenv(EnvBlock)
	if name == "" {
		return 0, nil
	}
	errno, ok := errnos[name]
	if !ok {
		return 0, fmt.Errorf("%s=%q: want ENOSYS or EPERM", EnvBlock, name)
	}
	return errno, nil
}

// blockAndReexec blocks rseq(2) with errno and replaces the process with a
// fresh run of the same binary, marked with EnvApplied. It returns only on
// failure.
func blockAndReexec(errno syscall.Errno) error {
	// The filter goes on this thread only, right before the exec: see
	// seccomp.BlockRseqAndExec for why not every thread.
	err := seccomp.BlockRseqAndExec(errno, "/proc/self/exe", os.Args, append(os.Environ(), EnvApplied+"=1"))
	return fmt.Errorf("%s=%s: %w; refusing to run the tests with rseq(2) unblocked", EnvBlock, os.Getenv(EnvBlock), err)
}

// exit reports err and ends the process with status code.
func exit(code int, err error) {
	fmt.Fprintln(os.Stderr, "testmain:", err)
	os.Exit(code)
}

// EnvQEMUUser is set by .ci/run when it runs the tests under qemu-user.
const EnvQEMUUser = "PERCPU_TEST_QEMU_USER"

// SkipChildrenUnderQEMU skips t, a test that starts a child process of its
// own binary, under qemu-user (EnvQEMUUser). There the child cannot run
// (without binfmt_misc, exec fails with an exec format error), and the fork
// itself can hang: a forked child of a multi-threaded guest stopped inside
// qemu before its exec, twice in CI (allocbench's tests, then this
// package's), each time until its 15-minute timeout.
func SkipChildrenUnderQEMU(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvQEMUUser) != "" {
		t.Skipf("under qemu-user (%s): no child processes", EnvQEMUUser)
	}
}
