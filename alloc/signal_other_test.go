//go:build !linux

package alloc

func signalThread(tid int) {}
