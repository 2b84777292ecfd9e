package main

import _ "unsafe" // for go:linkname

// procPin disables preemption of the calling goroutine and returns the id of
// the P it runs on; no other goroutine runs on that P until procUnpin. The
// runtime exports both by linkname (sync.Pool is built on them).
//
//go:linkname procPin runtime.procPin
func procPin() int

// procUnpin ends procPin.
//
//go:linkname procUnpin runtime.procUnpin
func procUnpin()
