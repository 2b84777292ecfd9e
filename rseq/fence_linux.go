//go:build linux

package rseq

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

const (
	membarrierQuery                    = 0
	membarrierPrivateExpeditedRseq     = 1 << 7
	membarrierRegisterPrivateExpedRseq = 1 << 8
	membarrierFlagCPU                  = 1
)

// EnvFence chooses the fence: "membarrier" (the default where the kernel has
// MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, Linux 5.10+) or "sched" (the
// slower CPU walk, which works on every kernel with rseq).
const EnvFence = "PERCPU_RSEQ_FENCE"

// startFence registers for the membarrier RSEQ fence in the background: the
// registration waits for an RCU grace period (10–15 ms in a busy process).
// Where it fails, the CPU walk stands in.
func startFence() {
	go func() {
		defer close(fenceDone)
		switch v := os.Getenv(EnvFence); v {
		case "", "membarrier":
			if err := registerMembarrier(); err != nil {
				fenceKind, fenceNote = "sched", err.Error()
				return
			}
			fenceKind = "membarrier"
		case "sched":
			fenceKind, fenceNote = "sched", EnvFence+"=sched"
		default:
			fenceKind, fenceNote = "sched", EnvFence+"="+fmt.Sprintf("%q", v)+" is not membarrier or sched"
		}
	}()
}

func registerMembarrier() error {
	mask, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierQuery, 0, 0)
	switch {
	case e != 0:
		return fmt.Errorf("membarrier query: %v", e)
	case mask&membarrierPrivateExpeditedRseq == 0:
		return errors.New("kernel lacks MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ")
	}
	if _, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierRegisterPrivateExpedRseq, 0, 0); e != 0 {
		return fmt.Errorf("membarrier RSEQ registration: %v", e)
	}
	return nil
}

// fence restarts every critical section running on cpu (all CPUs when cpu
// is negative) before it returns.
func fence(cpu int) error {
	<-fenceDone
	if fenceKind == "sched" {
		return schedFence(cpu)
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

// schedFence is the fence without membarrier: it moves the calling thread
// onto each CPU in turn (only cpu, when cpu >= 0). For the thread to run on
// a CPU, whatever ran there was switched out, and a switched-out section
// restarts; the switch is a full barrier, so the restarted section sees
// every store made before the walk, the stop word included. It costs a
// migration per CPU (tens of microseconds each).
func schedFence(cpu int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var saved unix.CPUSet
	if err := unix.SchedGetaffinity(0, &saved); err != nil {
		return fmt.Errorf("sched fence: %w", err)
	}
	defer unix.SchedSetaffinity(0, &saved)
	first, last := 0, nIndexes-1
	if cpu >= 0 {
		first, last = cpu, cpu
	}
	for c := first; c <= last; c++ {
		var one unix.CPUSet
		one.Set(c)
		switch err := unix.SchedSetaffinity(0, &one); err {
		case nil:
		case unix.EINVAL:
			continue // offline or outside our cpuset: no thread of ours runs there
		default:
			return fmt.Errorf("sched fence: moving to CPU %d: %w", c, err)
		}
		// sched_setaffinity returns only once the thread runs on an allowed
		// CPU; check, since the fence's meaning rests on it.
		for try := 0; ; try++ {
			if now, ok := getcpu(); ok && now == c {
				break
			}
			if try == 100 {
				return fmt.Errorf("sched fence: could not get onto CPU %d", c)
			}
			unix.Syscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
		}
	}
	return nil
}
