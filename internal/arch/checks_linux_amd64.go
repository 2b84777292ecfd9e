//go:build linux && amd64 && !purego

package arch

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

const archGetFS = 0x1003

func fsBase() uintptr {
	var fs uintptr
	if _, _, e := unix.RawSyscall(unix.SYS_ARCH_PRCTL, archGetFS, uintptr(unsafe.Pointer(&fs)), 0); e != 0 {
		return 0
	}
	return fs
}

// CheckOwnLayout confirms, on the calling (locked) thread, that FS:0 is
// m.tls[1]: the non-cgo runtime points FS at &m.tls[0]+8.
func CheckOwnLayout() error {
	m := getm()
	if fs := fsBase(); fs != m+mTLSOffset+8 {
		return fmt.Errorf("Go runtime layout check failed: FS base %#x is not &m.tls[1] (m = %#x)", fs, m)
	}
	return nil
}

// CheckThreadPointer confirms, on the calling (locked) thread, that FS:0 is
// the thread pointer, as glibc's TCB promises (its first word points to
// itself).
func CheckThreadPointer() error {
	if tp, fs := ThreadWord(), fsBase(); tp == 0 || tp != fs {
		return fmt.Errorf("glibc thread pointer check failed: FS:0 = %#x, FS base = %#x", tp, fs)
	}
	return nil
}
