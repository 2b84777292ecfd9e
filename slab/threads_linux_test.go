package slab

// Helpers that reach every thread or every CPU: the signal storm of the
// stress tests and the per-CPU visits of the self-drain test.

import (
	"os"
	"runtime"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// signalEveryThread sends SIGURG (the runtime's preemption signal, which
// aborts any restartable section it interrupts) to every thread.
func signalEveryThread() {
	entries, _ := os.ReadDir("/proc/self/task")
	pid := os.Getpid()
	for _, e := range entries {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			_ = unix.Tgkill(pid, tid, unix.SIGURG)
		}
	}
}

// onEveryCPU runs f once on each CPU the process may use, on threads
// pinned there, all at once.
func onEveryCPU(f func()) {
	var allowed unix.CPUSet
	if unix.SchedGetaffinity(0, &allowed) != nil {
		f()
		return
	}
	var wg sync.WaitGroup
	for c := 0; c < 1024; c++ {
		if !allowed.IsSet(c) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var one unix.CPUSet
			one.Set(c)
			if unix.SchedSetaffinity(0, &one) == nil {
				defer unix.SchedSetaffinity(0, &allowed)
			}
			f()
		}()
	}
	wg.Wait()
}
