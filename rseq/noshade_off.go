//go:build !percpu_noshade

package rseq

// noShade is the mutation switch of the marking protocol: false in every
// real build. Building with -tags percpu_noshade drops the shading stores,
// and TestEntryStacksMarkingGC must then fail (see docs/rseq.md).
const noShade = false
