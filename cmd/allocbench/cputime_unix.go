//go:build unix

package main

import (
	"syscall"
	"time"
)

// processCPUTime returns the CPU time every thread of the process has used
// so far, in user and system mode, or 0 if the system does not say.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
