//go:build linux && (amd64 || arm64) && !purego

package arch

import _ "unsafe" // for go:linkname

// Offsets in the Go 1.26 runtime's m (the same on amd64 and arm64). The
// checks below confirm them on the running thread before anything relies
// on them.
const (
	mProcIDOffset = 64  // m.procid: the thread id on Linux
	mTLSOffset    = 128 // m.tls: tls[1], at +136, is the thread word
)

//go:linkname getm runtime.getm
func getm() uintptr
