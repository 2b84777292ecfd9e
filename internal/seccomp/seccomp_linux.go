//go:build linux && (amd64 || arm64)

package seccomp

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Offsets of the fields of struct seccomp_data (linux/seccomp.h) that the
// filter reads; x/sys/unix does not define the struct.
const (
	offsetNr   = 0 // int nr
	offsetArch = 4 // __u32 arch
)

// maxErrno is the largest errno a filter can return (MAX_ERRNO,
// linux/err.h).
const maxErrno = 4095

// BlockRseqAndExec makes rseq(2) fail with errno, for good, in a fresh
// image of argv0 (argv, env) that replaces the process, as execve does:
// seccomp filters cannot be removed and survive execve. errno must be in
// 1..4095 (a filter's errno 0 would make rseq(2) report success without
// registering anything). It returns only on failure.
//
// The filter goes on the calling thread only, right before the exec. The
// new image starts filtered, so even its C library's start-up registration
// is refused, and no thread of the old process ever runs filtered: a glibc
// that registered rseq at start-up (2.35+, in a cgo or -race binary) treats
// a refused registration in a thread it creates later as fatal ("Fatal
// glibc error: rseq registration failed"), and the Go runtime may create a
// thread at any moment. no_new_privs, which an unprivileged filter needs,
// is set first on the same thread; it cannot be undone either.
func BlockRseqAndExec(errno syscall.Errno, argv0 string, argv, env []string) error {
	if errno == 0 || errno > maxErrno {
		return fmt.Errorf("seccomp: errno %d is not in 1..%d", errno, maxErrno)
	}
	path, err := syscall.BytePtrFromString(argv0)
	if err != nil {
		return err
	}
	args, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return err
	}
	envs, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		return err
	}
	filter := program(errno)
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	// Everything below runs on this thread, with raw system calls only, so
	// no Go code runs between the filter and the exec; the thread stays
	// locked: if the exec fails, the thread is filtered and must die.
	runtime.LockOSThread()
	if _, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0); e != 0 {
		return fmt.Errorf("seccomp: prctl(PR_SET_NO_NEW_PRIVS): %w", e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog))); e != 0 {
		return fmt.Errorf("seccomp: seccomp(SECCOMP_SET_MODE_FILTER): %w", e)
	}
	_, _, e := unix.RawSyscall(unix.SYS_EXECVE, uintptr(unsafe.Pointer(path)),
		uintptr(unsafe.Pointer(&args[0])), uintptr(unsafe.Pointer(&envs[0])))
	runtime.KeepAlive(filter)
	return fmt.Errorf("seccomp: execve %s: %w", argv0, e)
}

// program returns the classic BPF filter that makes the native
// architecture's rseq(2) fail with errno and allows every other system
// call. A call made through another ABI (a 32-bit one, whose numbers mean
// different calls) is allowed untouched.
func program(errno syscall.Errno) []unix.SockFilter {
	const (
		loadWord = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS  // A = 32-bit word at offset K
		jumpIfEq = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K // pc += (A == K) ? Jt : Jf
		ret      = unix.BPF_RET | unix.BPF_K                // return K
	)
	return []unix.SockFilter{
		// 0: A = seccomp_data.arch.
		{Code: loadWord, K: offsetArch},
		// 1: native arch → 2; anything else → 5 (allow).
		{Code: jumpIfEq, K: auditArch, Jt: 0, Jf: 3},
		// 2: A = seccomp_data.nr.
		{Code: loadWord, K: offsetNr},
		// 3: rseq → 4; anything else → 5 (allow).
		{Code: jumpIfEq, K: unix.SYS_RSEQ, Jt: 0, Jf: 1},
		// 4: fail the call with errno; it does not reach the kernel.
		{Code: ret, K: unix.SECCOMP_RET_ERRNO | uint32(errno)&unix.SECCOMP_RET_DATA},
		// 5: let the call through.
		{Code: ret, K: unix.SECCOMP_RET_ALLOW},
	}
}
