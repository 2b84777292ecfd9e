package rseq

import "errors"

var (
	fenceDone = make(chan struct{}) // closed once fenceErr is final
	fenceErr  error
)

var errNoRseq = errors.New("restartable sequences are not in use")

// fenceStatus reports whether the fence works, waiting for its registration.
func fenceStatus() error {
	<-fenceDone
	return fenceErr
}

// Fence makes every critical section that is running on cpu restart before
// Fence returns (every CPU when cpu is negative). Combined with a stop word
// set beforehand, it hands that CPU's data to the caller: a section that
// restarts sees the stop word and leaves. It returns an error when the
// kernel offers no membarrier RSEQ fence (Status says why).
func Fence(cpu int) error {
	if !on {
		return errNoRseq
	}
	return fence(cpu)
}

// fenceIndex fences whatever CPU may be running sections on index i.
func fenceIndex(i int) error {
	if !on {
		return errNoRseq
	}
	if index == IndexMMCID {
		return fence(-1) // an mm_cid may be on any CPU
	}
	return fence(i)
}
