//go:build !linux || !(amd64 || arm64)

package testmain

// filterable says whether package seccomp can block rseq(2) here.
const filterable = false

// rseqMissing is never consulted where filterable is false.
func rseqMissing() bool { return true }
