//go:build linux

package rseq

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

func getcpu() (int, bool) {
	var cpu uint32
	if _, _, e := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), 0, 0); e != 0 {
		return 0, false
	}
	return int(cpu), true
}
