//go:build race

package alloc

import "math/rand/v2"

// The per-CPU sections are invisible to the race detector, so under -race
// the pools annotate each hand-off with package internal/race: a Put
// happens before the Get that returns its value. They annotate every Put
// and Get, the ones that call the sections directly as well as the ones
// that go through rseq.EntryStacks (which annotates too, at the same
// hashed word: harmless), so the detector sees the same edges whichever
// path a call takes. Like sync.Pool, they also drop a quarter of Puts at
// random, so code that wrongly relies on getting a value back is caught.
//
// Without the race detector raceDropPut must compile to nothing: written as
// race.Enabled && rand.IntN(4) == 0 it was not inlined (the inliner costs
// the call to rand before the constant folds), and every Put paid a call,
// about 0.7 ns of a 10 ns Get+Put. So it is kept to the race build; see
// norace.go.
func raceDropPut() bool { return rand.IntN(4) == 0 }
