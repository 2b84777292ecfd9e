//go:build linux && (amd64 || arm64)

package testmain

import (
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// filterable says whether package seccomp can block rseq(2) here.
const filterable = true

// rawRseq calls rseq(2) with no area and returns its errno: EINVAL from a
// kernel that has rseq(2), ENOSYS where it is missing, or a filter's errno.
func rawRseq() syscall.Errno {
	_, _, e := unix.Syscall6(unix.SYS_RSEQ, 0, 0, 0, 0, 0, 0)
	return e
}

// TestRseqBlocked checks, in a binary that Run re-executed under the
// filter, that rseq(2) really fails with the errno RseqBlocked names.
func TestRseqBlocked(t *testing.T) {
	name := RseqBlocked()
	if name == "" {
		t.Skipf("rseq(2) is not blocked (%s is unset); TestBlockInChild runs this test blocked", EnvBlock)
	}
	if got, want := rawRseq(), errnos[name]; got != want {
		t.Fatalf("rseq(2) with %s=%s fails with %v, want %v", EnvBlock, name, got, want)
	}
}

// rseqMissing reports whether this process sees no rseq(2) of its own,
// as under qemu-user, which has neither rseq(2) nor seccomp(2).
func rseqMissing() bool { return RseqBlocked() == "" && rawRseq() != unix.EINVAL }
