package seccomp

import "golang.org/x/sys/unix"

// auditArch is the value of seccomp_data.arch for a native system call.
const auditArch = unix.AUDIT_ARCH_AARCH64
