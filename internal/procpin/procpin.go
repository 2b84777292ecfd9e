package procpin

import _ "unsafe" // for go:linkname

// Pin pins the calling goroutine to its P and returns the P's id, below
// GOMAXPROCS. Every Pin must be followed by Unpin on the same goroutine.
//
//go:linkname Pin runtime.procPin
func Pin() int

// Unpin ends the stretch the last Pin began.
//
//go:linkname Unpin runtime.procUnpin
func Unpin()
