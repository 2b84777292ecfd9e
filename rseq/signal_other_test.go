//go:build !linux

package rseq

func threadIDs() []int { return nil }

func signalThread(pid, tid int) {}
