//go:build !linux

package rseq

func startFence() { close(fenceDone) }

func fence(cpu int) error { return errNoRseq }
