//go:build !linux

package slab

// signalEveryThread does nothing where threads cannot be signalled one by
// one; the stress tests still run, without the storm.
func signalEveryThread() {}

// onEveryCPU runs f: without per-CPU pinning, goroutines on every P are
// what the callers rely on.
func onEveryCPU(f func()) { f() }
