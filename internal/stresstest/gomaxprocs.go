package stresstest

import (
	"runtime"
	"time"
)

// FlipGOMAXPROCS starts a disturber that sets GOMAXPROCS to each of procs
// in turn, one every interval, and restores the value it found when
// stopped. With no procs it cycles from 1 to 4×NumCPU (oversubscribed).
// It counts the changes.
func FlipGOMAXPROCS(interval time.Duration, procs ...int) *Disturber {
	if len(procs) == 0 {
		for n := 1; n <= 4*runtime.NumCPU(); n++ {
			procs = append(procs, n)
		}
	}
	orig := runtime.GOMAXPROCS(0)
	i := 0
	return start("GOMAXPROCS changes", interval, func() int {
		runtime.GOMAXPROCS(procs[i%len(procs)])
		i++
		return 1
	}, func() { runtime.GOMAXPROCS(orig) })
}
