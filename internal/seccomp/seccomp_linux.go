//go:build linux && (amd64 || arm64)

package seccomp

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Classic BPF opcodes and seccomp return values (linux/filter.h,
// linux/seccomp.h).
const (
	bpfLoadWordAbs = 0x00 | 0x00 | 0x20 // BPF_LD | BPF_W | BPF_ABS
	bpfJumpIfEqual = 0x05 | 0x10 | 0x00 // BPF_JMP | BPF_JEQ | BPF_K
	bpfReturn      = 0x06 | 0x00        // BPF_RET | BPF_K

	offsetNr   = 0 // seccomp_data.nr
	offsetArch = 4 // seccomp_data.arch

	retAllow = 0x7fff0000 // SECCOMP_RET_ALLOW
	retErrno = 0x00050000 // SECCOMP_RET_ERRNO

	modeFilter = 1 // SECCOMP_SET_MODE_FILTER
	flagTsync  = 1 // SECCOMP_FILTER_FLAG_TSYNC: every thread of the process
)

// auditArch and rseqNr are the native architecture's audit id and rseq
// system call number.
var auditArch, rseqNr = func() (uint32, uint32) {
	if runtime.GOARCH == "arm64" {
		return 0xc00000b7, 293 // AUDIT_ARCH_AARCH64
	}
	return 0xc000003e, 334 // AUDIT_ARCH_X86_64
}()

// program returns the filter: rseq(2) of the native architecture fails with
// errno; everything else is allowed.
func program(errno syscall.Errno) []unix.SockFilter {
	return []unix.SockFilter{
		{Code: bpfLoadWordAbs, K: offsetArch},                 // 0: A = arch
		{Code: bpfJumpIfEqual, K: auditArch, Jt: 0, Jf: 3},    // 1: foreign arch → 5
		{Code: bpfLoadWordAbs, K: offsetNr},                   // 2: A = nr
		{Code: bpfJumpIfEqual, K: rseqNr, Jt: 0, Jf: 1},       // 3: not rseq → 5
		{Code: bpfReturn, K: retErrno | uint32(errno)&0xffff}, // 4: fail with errno
		{Code: bpfReturn, K: retAllow},                        // 5: allow
	}
}

// BlockRseq makes rseq(2) fail with errno in every thread of the process,
// for good: a seccomp filter cannot be removed. It sets no_new_privs first,
// which unprivileged filters require.
func BlockRseq(errno syscall.Errno) error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("seccomp: PR_SET_NO_NEW_PRIVS: %w", err)
	}
	filter := program(errno)
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, modeFilter, flagTsync, uintptr(unsafe.Pointer(&prog))); e != 0 {
		return fmt.Errorf("seccomp: installing the filter: %w", e)
	}
	runtime.KeepAlive(filter)
	return nil
}
