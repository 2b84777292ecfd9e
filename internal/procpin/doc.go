// Package procpin pins the calling goroutine to its P, as sync.Pool does:
// between Pin and Unpin the goroutine is not preempted, its P is not taken
// from it, and no other goroutine runs on that P. A stretch between the two
// is therefore one uninterrupted run on one P, which is what the fallback
// shards' hit path (package rseq's spill) and the per-P contender of
// cmd/allocbench rely on to touch a P's own data with no lock and no atomic
// instruction.
//
// The functions are the runtime's own (runtime.procPin and
// runtime.procUnpin, which the runtime exports by linkname for sync.Pool and
// the per-P pools built outside the standard library), declared once here so
// that every package of the module calls them directly: a caller that pins
// in its own body, rather than through a helper that pins, saves a call
// level on its hit path.
//
// A pinned stretch must be short and must not block, allocate much, or call
// anything that may park the goroutine: the garbage collector cannot stop
// the world while any goroutine is pinned.
package procpin
