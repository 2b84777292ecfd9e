//go:build !linux

package rseq

func startFence() {
	fenceErr = errNoRseq
	close(fenceDone)
}

func fence(cpu int) error { return fenceErr }
