//go:build !linux

package slab

// onEveryCPU runs f: without per-CPU pinning, goroutines on every P are
// what the callers rely on.
func onEveryCPU(f func()) { f() }
