//go:build linux

package rseq

import "golang.org/x/sys/unix"

// kernelRefusal probes rseq(2) the way detection cannot be fooled about:
// with no area, a kernel that has it answers EINVAL (for a registered
// thread too), while a missing rseq(2) or a sandbox's filter answers with
// its own errno, ENOSYS or EPERM. It returns that errno's name, or "" when
// the kernel would register.
func kernelRefusal() string {
	_, _, e := unix.Syscall6(unix.SYS_RSEQ, 0, 0, 0, 0, 0, 0)
	if e == unix.EINVAL {
		return ""
	}
	if n := unix.ErrnoName(e); n != "" {
		return n
	}
	return e.Error()
}
