package rseq

import "errors"

var (
	fenceDone = make(chan struct{}) // closed once the fields below are final
	fenceKind string                // "membarrier" or "sched"; "" without rseq
	fenceNote string                // why not membarrier
)

var errNoRseq = errors.New("restartable sequences are not in use")

// fenceStatus reports whether a fence works, waiting for its registration.
func fenceStatus() error {
	<-fenceDone
	if fenceKind == "" {
		return errNoRseq
	}
	return nil
}

// Fence makes every critical section that is running on cpu restart before
// Fence returns (every CPU when cpu is negative). Combined with a stop word
// set beforehand, it hands that CPU's data to the caller: a section that
// restarts sees the stop word and leaves. It uses membarrier's RSEQ command
// where the kernel has it, and otherwise walks the calling thread over the
// CPUs (Status().FenceKind says which).
func Fence(cpu int) error {
	if !on {
		return errNoRseq
	}
	return fence(cpu)
}
