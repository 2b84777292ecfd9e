//go:build !linux

package stresstest

// CanSignalThreads reports whether SignalStorm reaches threads: false
// here, where threads cannot be signalled one by one.
const CanSignalThreads = false

// ThreadIDs returns nil: the threads cannot be listed here.
func ThreadIDs() []int { return nil }

// SignalThread does nothing here.
func SignalThread(tid int) {}
