//go:build !unix

package main

import "time"

// processCPUTime returns 0: without getrusage the CPU time is not measured
// (the CPU/op column shows a dash).
func processCPUTime() time.Duration { return 0 }
