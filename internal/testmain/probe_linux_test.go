//go:build linux && (amd64 || arm64)

package testmain

import "golang.org/x/sys/unix"

func rawRseqErrno() string {
	_, _, e := unix.Syscall6(unix.SYS_RSEQ, 0, 0, 0, 0, 0, 0)
	return unix.ErrnoName(e)
}

// blockingWorks reports whether the kernel answers rseq(2) at all (EINVAL
// for a missing area), so a filter would be observable.
func blockingWorks() bool { return rawRseqErrno() == "EINVAL" }
