package slab

// onEveryCPU, the per-CPU visits of the self-drain test. (The signal storm
// of the stress tests is internal/stresstest's.)

import (
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

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
