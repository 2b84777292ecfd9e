package rseq

import (
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/procpin"
)

// TestEntryPointersConservation runs the exchange stress through the
// pointer sections (arch.PushPointers and arch.PopPointers), called
// directly as package alloc's pools call them and finished by PushAfter and
// PopAfter, mixed on the same members with the whole-entry path (Push and
// Pop): entries of two pointers, N0 and N1 zero. A pointer section that
// loses or duplicates an entry, leaves a slot live above the top or dead
// below it (which the whole-entry sections, reading the same stacks, would
// take for the top), or drops aux, fails the ledger or the entry check.
// Where sections cannot run, Desc is nil and every operation takes the
// whole-entry path. (CI also runs it with RSEQ_DELAY, the sections widened
// so that signals and preemption land inside them.)
func TestEntryPointersConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		s := NewEntryStacks([]int{8, 24})
		led, held, rngs := dealTokens(l.lockedThreads+l.goroutines, 16, 3)
		var direct [2]atomic.Int64
		l.run(t, func(w, i int) {
			rng, h := rngs[w], &held[w]
			k, viaSections := rng.IntN(2), rng.IntN(4) != 0
			if m := len(*h); m > 0 && rng.IntN(2) == 0 {
				tk := (*h)[m-1]
				led.Release(tk.id)
				if pushPointers(s, k, tk, viaSections, &direct[0]) {
					(*h)[m-1] = nil
					*h = (*h)[:m-1]
				} else {
					led.Claim(tk.id, w)
				}
				return
			}
			if e, ok := popPointers(s, k, viaSections, &direct[1]); ok {
				tk := checkPointers(t, e)
				led.Claim(tk.id, w)
				*h = append(*h, tk)
			}
		})
		led.Check(t)
		conserveHeld(t, s, led, held, checkPointers)
		t.Logf("pointer sections called: %d pushes, %d pops", direct[0].Load(), direct[1].Load())
		if Enabled() && s.Desc(0) != nil && (direct[0].Load() == 0 || direct[1].Load() == 0) {
			t.Error("the pointer sections never ran: the test checked the whole-entry path only")
		}
	})
}

// pushPointers pushes tk onto member k of s: through arch.PushPointers
// when viaSections and sections run (counting the call), else Push.
func pushPointers(s *EntryStacks, k int, tk *token, viaSections bool, calls *atomic.Int64) bool {
	e := Entry{P: unsafe.Pointer(tk), Aux: unsafe.Pointer(tk.tag)}
	d := s.Desc(k)
	if !viaSections || d == nil {
		return s.Push(k, e)
	}
	calls.Add(1)
	st := arch.PushPointers(d, e.P, e.Aux)
	return st == arch.Committed || s.PushAfter(k, e, st)
}

// popPointers pops member k of s, as pushPointers pushes.
func popPointers(s *EntryStacks, k int, viaSections bool, calls *atomic.Int64) (Entry, bool) {
	d := s.Desc(k)
	if !viaSections || d == nil {
		return s.Pop(k)
	}
	calls.Add(1)
	p, aux, st := arch.PopPointers(d)
	if st == arch.Committed {
		return Entry{P: p, Aux: aux}, true
	}
	return s.PopAfter(k, Entry{P: p, Aux: aux}, st)
}

// checkPointers verifies an entry of two pointers: the token is intact,
// Aux is its tag, and N0 and N1 are zero.
func checkPointers(t *testing.T, e Entry) *token {
	tk := (*token)(e.P)
	if tk.magic != tokenMagic || e.N0 != 0 || e.N1 != 0 || e.Aux != unsafe.Pointer(tk.tag) || tk.tag.id != tk.id {
		t.Errorf("corrupt entry: magic %#x id %d n0 %d n1 %#x aux %p p %p", tk.magic, tk.id, e.N0, e.N1, e.Aux, e.P)
	}
	return tk
}

// TestPrivatePointersDrainConservation is TestPrivateDrainConservation
// with the fallback's two-word hit path (PushPinnedPointers and
// PopPinnedPointers, inside the worker's own pinned stretch, as package
// alloc's Pool calls them where sections cannot run), mixed on the same
// members with the whole-entry Push and Pop of the shards, for entries of
// two pointers. The drains revoke the private parts the workers use.
func TestPrivatePointersDrainConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		s := NewEntryStacks([]int{8, 40})
		n := 4 * (l.lockedThreads + l.goroutines)
		byID := append([]*token{nil}, newTokens(n)...)
		private := []*Private{s.Private(0), s.Private(1)}
		pointersOf := func(id uintptr) Entry {
			return Entry{P: unsafe.Pointer(byID[id]), Aux: unsafe.Pointer(byID[id].tag)}
		}
		f := tokenFamily{
			push: func(k int, id uintptr) bool {
				e := pointersOf(id)
				if id%4 != 0 { // most through the two-word hit path
					ok := private[k].PushPinnedPointers(procpin.Pin(), e.P, e.Aux)
					procpin.Unpin()
					if ok {
						return true
					}
				}
				return s.shards().push(k, e, s.caps[k])
			},
			pop: func(k int) (uintptr, bool) {
				p, aux := private[k].PopPinnedPointers(procpin.Pin())
				procpin.Unpin()
				e, ok := Entry{P: p, Aux: aux}, p != nil
				if !ok {
					e, ok = s.shards().pop(k, s.caps[k])
				}
				if !ok {
					return 0, false
				}
				return checkPointers(t, e).id, true
			},
			drain: drainInto(t, s, checkPointers),
		}
		drainStress(t, l, n, f)
	})
}
