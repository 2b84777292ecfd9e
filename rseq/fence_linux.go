//go:build linux

package rseq

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

const (
	membarrierQuery                    = 0
	membarrierPrivateExpeditedRseq     = 1 << 7
	membarrierRegisterPrivateExpedRseq = 1 << 8
	membarrierFlagCPU                  = 1
)

// startFence registers for the membarrier RSEQ fence in the background: the
// registration waits for an RCU grace period (10–15 ms in a busy process).
func startFence() {
	go func() {
		defer close(fenceDone)
		mask, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierQuery, 0, 0)
		switch {
		case e != 0:
			fenceErr = fmt.Errorf("membarrier query: %v", e)
		case mask&membarrierPrivateExpeditedRseq == 0:
			fenceErr = errors.New("kernel lacks MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ")
		default:
			if _, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierRegisterPrivateExpedRseq, 0, 0); e != 0 {
				fenceErr = fmt.Errorf("membarrier RSEQ registration: %v", e)
			}
		}
	}()
}

// fence restarts every critical section running on cpu (all CPUs when cpu
// is negative) before it returns.
func fence(cpu int) error {
	<-fenceDone
	if fenceErr != nil {
		return fenceErr
	}
	flags, arg := uintptr(0), uintptr(0)
	if cpu >= 0 {
		flags, arg = membarrierFlagCPU, uintptr(cpu)
	}
	for {
		_, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierPrivateExpeditedRseq, flags, arg)
		switch e {
		case 0:
			return nil
		case unix.EINTR, unix.EAGAIN:
			continue
		}
		return fmt.Errorf("membarrier RSEQ fence: %v", e)
	}
}
