//go:build !linux

package rseq

func getcpu() (int, bool) { return 0, false }
