//go:build linux && arm64 && !purego

package arch

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// gm returns g.m from the g register (R28).
func gm() uintptr

// mWord returns the word at off in the calling thread's m.
func mWord(off uintptr) uintptr

// CheckOwnLayout confirms, on the calling (locked) thread, the offsets the
// own-mode sections use: g.m (g+48) is runtime.getm(), m.procid is this
// thread's id, and m.tls[0..1] are unused (arm64 keeps g in R28, so the
// runtime never touches m.tls). TPIDR_EL0 cannot hold the area: clone
// copies it into new threads.
func CheckOwnLayout() error {
	m := getm()
	switch {
	case gm() != m:
		return fmt.Errorf("Go runtime layout check failed: g.m = %#x, runtime.getm() = %#x", gm(), m)
	case mWord(mProcIDOffset) != uintptr(unix.Gettid()):
		return fmt.Errorf("Go runtime layout check failed: m+%d = %d, want the thread id %d", mProcIDOffset, mWord(mProcIDOffset), unix.Gettid())
	case mWord(mTLSOffset) != 0:
		return fmt.Errorf("Go runtime layout check failed: m.tls[0] = %#x is in use", mWord(mTLSOffset))
	}
	return nil
}

// CheckThreadPointer confirms that TPIDR_EL0 holds a thread pointer.
func CheckThreadPointer() error {
	if tp := ThreadWord(); tp == 0 {
		return fmt.Errorf("glibc thread pointer check failed: TPIDR_EL0 is 0")
	}
	return nil
}
