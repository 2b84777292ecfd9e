//go:build !linux

package rseq

// kernelRefusal reports that there is no rseq(2) to accept anything.
func kernelRefusal() string { return "no rseq(2) on this system" }
