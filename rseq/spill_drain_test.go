package rseq

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gorseq/percpu/internal/procpin"
	"github.com/gorseq/percpu/internal/stresstest"
)

// The fallback shards' private parts are touched without a lock by their
// owner P, and by drains and reclaims only after revoking them under a
// fence (spill.go). These tests break if a drain or a steal reaches a
// private part its owner may be using (a token handed out twice), or
// skips one (a token lost).

// tokenFamily is what the drain stress needs of EntryStacks and WordStacks.
type tokenFamily struct {
	push  func(k int, id uintptr) bool
	pop   func(k int) (uintptr, bool)
	drain func(fn func(ids []uintptr))
}

func entryFamily(t *testing.T, s *EntryStacks, byID []*token) tokenFamily {
	return tokenFamily{
		push: func(k int, id uintptr) bool { return s.Push(k, entryOf(byID[id])) },
		pop: func(k int) (uintptr, bool) {
			e, ok := s.Pop(k)
			if !ok {
				return 0, false
			}
			return checkEntry(t, e).id, true
		},
		drain: drainInto(t, s, checkEntry),
	}
}

// drainInto returns a tokenFamily's drain for s: it hands fn the ids of
// each index's entries, checked with check.
func drainInto(t *testing.T, s *EntryStacks, check func(*testing.T, Entry) *token) func(fn func([]uintptr)) {
	return func(fn func([]uintptr)) {
		s.Drain(func(k int, es []Entry) {
			ids := make([]uintptr, len(es))
			for i, e := range es {
				ids[i] = check(t, e).id
			}
			fn(ids)
		})
	}
}

func wordFamily(s *WordStacks) tokenFamily {
	return tokenFamily{
		push:  s.Push,
		pop:   s.Pop,
		drain: func(fn func([]uintptr)) { s.Drain(func(k int, ws []uintptr) { fn(ws) }) },
	}
}

// TestEntryStacksDrainConservation: workers pop and push a fixed set of
// tokens, recording every hand-out in a ledger, while another goroutine
// drains the family over and over and puts what it took back into
// circulation, and the variant's disturbances (GOMAXPROCS changes among
// them) and forced collections run. At the end every token is held, in the
// family or on the drained pile exactly once.
func TestEntryStacksDrainConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		s := NewEntryStacks([]int{8, 24})
		n := 4 * (l.lockedThreads + l.goroutines)
		byID := append([]*token{nil}, newTokens(n)...)
		drainStress(t, l, n, entryFamily(t, s, byID))
	})
}

// TestWordStacksDrainConservation is the same for words.
func TestWordStacksDrainConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		s := NewWordStacks([]int{8, 24})
		drainStress(t, l, 4*(l.lockedThreads+l.goroutines), wordFamily(s))
	})
}

func drainStress(t *testing.T, l load, n int, f tokenFamily) {
	const hold = 6
	l.gc = true
	led := stresstest.NewLedger(n + 1)
	var pile struct {
		sync.Mutex
		ids []uintptr // drained or refused: in circulation, held by nobody
	}
	takePile := func() (uintptr, bool) {
		pile.Lock()
		defer pile.Unlock()
		if len(pile.ids) == 0 {
			return 0, false
		}
		id := pile.ids[len(pile.ids)-1]
		pile.ids = pile.ids[:len(pile.ids)-1]
		return id, true
	}
	toPile := func(ids []uintptr) {
		pile.Lock()
		pile.ids = append(pile.ids, ids...)
		pile.Unlock()
	}
	for id := uintptr(1); id <= uintptr(n); id++ {
		if !f.push(int(id&1), id) {
			toPile([]uintptr{id})
		}
	}
	fencesBefore := pinFences.Load()
	drainer := stresstest.Every("drains", 200*time.Microsecond, func() int { f.drain(toPile); return 1 })
	held := make([][]uintptr, l.lockedThreads+l.goroutines)
	l.run(t, func(w, i int) {
		k := (w + i) & 1
		if len(held[w]) < hold && (len(held[w]) == 0 || i%3 != 0) {
			id, ok := f.pop(k)
			if !ok {
				if id, ok = takePile(); !ok {
					return
				}
			}
			led.Claim(id, w)
			held[w] = append(held[w], id)
			return
		}
		id := held[w][len(held[w])-1]
		held[w] = held[w][:len(held[w])-1]
		led.Release(id)
		if !f.push(k, id) {
			toPile([]uintptr{id})
		}
	})
	drains := drainer.Stop()
	led.Check(t)
	var drained []uintptr
	f.drain(func(ids []uintptr) { drained = append(drained, ids...) })
	drained = append(drained, pile.ids...)
	led.Conserve(t, held, drained)
	fences := pinFences.Load() - fencesBefore
	t.Logf("%d drains, %d fences", drains, fences)
	if drains == 0 {
		t.Fatal("no drain ran while the workers did")
	}
	if !Enabled() && !raceEnabled && fences == 0 {
		t.Fatal("no private part was revoked: the test did not reach the path it checks")
	}
}

// TestPrivateDrainConservation is TestEntryStacksDrainConservation on the
// fallback shards alone, in every mode, with their hit path first: Push and
// Pop try Private, then the calling P's shard, as package alloc does where
// sections cannot run. The drains revoke private parts that the workers'
// hit paths are using, and the owners' pushes grow them.
func TestPrivateDrainConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		s := NewEntryStacks([]int{8, 40})
		n := 4 * (l.lockedThreads + l.goroutines)
		byID := append([]*token{nil}, newTokens(n)...)
		private := []*Private{s.Private(0), s.Private(1)}
		f := entryFamily(t, s, byID)
		f.push = func(k int, id uintptr) bool {
			e := entryOf(byID[id])
			return private[k].Push(e) || s.shards().push(k, e, s.caps[k])
		}
		f.pop = func(k int) (uintptr, bool) {
			e, ok := private[k].Pop()
			if !ok {
				e, ok = s.shards().pop(k, s.caps[k])
			}
			if !ok {
				return 0, false
			}
			return checkEntry(t, e).id, true
		}
		drainStress(t, l, n, f)
	})
}

// TestWordPrivateDrainConservation is TestPrivateDrainConservation for a
// word family: PushPinned and PopPinned inside the worker's own pinned
// stretch, as package slab calls them where sections cannot run, then the
// shards. A PopPinned that ignored a revoked private part handed out a
// word the drain had taken, and this test failed.
func TestWordPrivateDrainConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		s := NewWordStacks([]int{8, 40})
		f := wordFamily(s)
		f.push = func(k int, id uintptr) bool {
			ok := s.PushPinned(procpin.Pin(), k, id)
			procpin.Unpin()
			return ok || s.spills.push(k, id, s.shardCap(k))
		}
		f.pop = func(k int) (uintptr, bool) {
			v, ok := s.PopPinned(procpin.Pin(), k)
			procpin.Unpin()
			if !ok {
				v, ok = s.spills.pop(k, s.shardCap(k))
			}
			return v, ok
		}
		drainStress(t, l, 4*(l.lockedThreads+l.goroutines), f)
	})
}

// TestPrivateHoldsNoReference: a value popped from a private part is not
// kept alive by its old slot.
func TestPrivateHoldsNoReference(t *testing.T) {
	const n = 8
	s := NewEntryStacks([]int{64})
	private, shards := s.Private(0), s.shards()
	collected := make(chan uintptr, n)
	hits := 0
	for i := 0; i < n; i++ {
		tk := newToken(uintptr(i + 1))
		runtime.AddCleanup(tk, func(id uintptr) { collected <- id }, tk.id)
		if !private.Push(entryOf(tk)) && !shards.push(0, entryOf(tk), 64) {
			t.Fatalf("push %d refused by a capacity-64 shard", i)
		}
	}
	popped := 0
	for {
		e, ok := private.Pop()
		if ok {
			hits++
		} else if e, ok = shards.pop(0, 64); !ok {
			break
		}
		checkEntry(t, e)
		popped++
	}
	if popped != n {
		t.Fatalf("got back %d of %d", popped, n)
	}
	if hits == 0 && !raceEnabled {
		t.Fatal("no pop took the hit path: the test did not reach the path it checks")
	}
	awaitCollected(t, collected, n)
	runtime.KeepAlive(s)
}

// TestPrivateHitsOnItsOwnP: once its P's private part exists (the family's
// first push past the hit path allocates it), Private.Push and Pop serve
// the calling P without going past the hit path, until the part is full,
// and hand back what was pushed, newest first. Without this the fallback
// would stay correct and only get slow, which no conservation test sees.
func TestPrivateHitsOnItsOwnP(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector the private part is never used")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one P: every call is the owner's
	s := NewEntryStacks([]int{64})
	private, shards := s.Private(0), s.shards()
	toks := newTokens(privStart)
	if private.Push(entryOf(toks[0])) {
		t.Fatal("Private.Push hit before its P had a private part")
	}
	if !shards.push(0, entryOf(toks[0]), 64) {
		t.Fatal("the first push past the hit path was refused")
	}
	for i, tk := range toks[1:] {
		if !private.Push(entryOf(tk)) {
			t.Fatalf("Private.Push %d of %d missed with a %d-value private part", i+2, privStart, privStart)
		}
	}
	if private.Push(entryOf(newToken(999))) {
		t.Fatalf("Private.Push hit with the %d-value part full", privStart)
	}
	for i := len(toks) - 1; i >= 0; i-- {
		e, ok := private.Pop()
		if !ok || checkEntry(t, e) != toks[i] {
			t.Fatalf("Private.Pop %d: %v, want token %d", len(toks)-i, ok, toks[i].id)
		}
	}
	if _, ok := private.Pop(); ok {
		t.Fatal("Private.Pop hit with the part empty")
	}
}
