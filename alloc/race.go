package alloc

import (
	"math/rand/v2"

	"github.com/gorseq/percpu/internal/race"
)

// The per-CPU sections are invisible to the race detector, so under -race
// the pools annotate each hand-off with package internal/race: a Put
// happens before the Get that returns its value. They annotate every Put
// and Get, the ones that call the sections directly as well as the ones
// that go through rseq.EntryStacks (which annotates too, at the same
// hashed word: harmless), so the detector sees the same edges whichever
// path a call takes. Like sync.Pool, they also drop a quarter of Puts at
// random, so code that wrongly relies on getting a value back is caught.
func raceDropPut() bool { return race.Enabled && rand.IntN(4) == 0 }
