//go:build percpu_noshade

package rseq

// noShade, set by -tags percpu_noshade, breaks the marking protocol on
// purpose: the mutation check that proves the GC tests can see a missing
// shade. Never ship a binary built with it.
const noShade = true
