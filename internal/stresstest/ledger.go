package stresstest

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

// A Holder is a token's holder word: 0 while no worker holds the token,
// w+1 while worker w does. A Ledger keeps one per numbered token; a token
// may also carry its own.
type Holder struct{ w atomic.Int32 }

// Worker returns the worker holding the token, or -1.
func (h *Holder) Worker() int { return int(h.w.Load()) - 1 }

// A Ledger records which worker holds each token and the violations found:
// a token handed out while another worker held it, and, at the end, tokens
// lost or duplicated. Its methods may be called from any goroutine. The
// zero Ledger has no numbered tokens: it serves tokens that carry their
// own Holder.
type Ledger struct {
	holders  []Holder // of the numbered tokens
	failures atomic.Int64
	first    atomic.Pointer[string]
}

// NewLedger returns a ledger for tokens numbered 0 to n-1.
func NewLedger(n int) *Ledger { return &Ledger{holders: make([]Holder, n)} }

// Tokens returns how many numbered tokens the ledger has.
func (l *Ledger) Tokens() int { return len(l.holders) }

// Claim records that worker w was handed numbered token tok.
func (l *Ledger) Claim(tok uintptr, w int) { l.ClaimHolder(&l.holders[tok], tok, w) }

// Release records that numbered token tok is no longer held: its holder is
// about to give it back.
func (l *Ledger) Release(tok uintptr) { l.holders[tok].w.Store(0) }

// ClaimHolder records that worker w was handed the token whose holder word
// is h; tok names the token in the report (its number or address). It
// reports whether the token was free.
func (l *Ledger) ClaimHolder(h *Holder, tok any, w int) bool {
	if h.w.CompareAndSwap(0, int32(w+1)) {
		return true
	}
	l.Fail("token %v handed to worker %d while worker %d held it", tok, w, h.Worker())
	return false
}

// ReleaseHolder records that the token whose holder word is h is no longer
// held.
func (l *Ledger) ReleaseHolder(h *Holder) { h.w.Store(0) }

// Fail records a violation; the first one recorded is kept for the report.
func (l *Ledger) Fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.failures.Add(1)
	l.first.CompareAndSwap(nil, &msg)
}

// Failures returns the number of violations recorded.
func (l *Ledger) Failures() int64 { return l.failures.Load() }

// Err returns nil if no violation was recorded, or an error with their
// number and the first one.
func (l *Ledger) Err() error {
	if n := l.failures.Load(); n > 0 {
		return fmt.Errorf("%d ownership violations; the first: %s", n, *l.first.Load())
	}
	return nil
}

// Check fails the test if any violation was recorded (see Err).
func (l *Ledger) Check(t testing.TB) {
	t.Helper()
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
}

// Conserve fails the test if Conservation finds a token lost or
// duplicated.
func (l *Ledger) Conserve(t testing.TB, held [][]uintptr, returned []uintptr) {
	t.Helper()
	if err := l.Conservation(held, returned); err != nil {
		t.Fatal(err)
	}
}

// Conservation checks that every numbered token from 1 to Tokens()-1 (0
// is not a token, so that a zero word never is one) appears exactly once
// across what the workers hold and what a final drain of the structure
// returned, and otherwise returns an error naming the first tokens lost
// or duplicated.
func (l *Ledger) Conservation(held [][]uintptr, returned []uintptr) error {
	n := len(l.holders)
	seen := make([]int, n)
	var bad []uintptr
	for _, h := range append(held, returned) {
		for _, tok := range h {
			if tok == 0 || tok >= uintptr(n) {
				bad = append(bad, tok)
				continue
			}
			seen[tok]++
		}
	}
	var lost, dup []uintptr
	for tok := 1; tok < n; tok++ {
		switch {
		case seen[tok] == 0:
			lost = append(lost, uintptr(tok))
		case seen[tok] > 1:
			dup = append(dup, uintptr(tok))
		}
	}
	var broken []string
	for _, c := range []struct {
		what string
		toks []uintptr
	}{{"lost", lost}, {"duplicated", dup}, {"not tokens", bad}} {
		if len(c.toks) > 0 {
			broken = append(broken, fmt.Sprintf("%d %s %s", len(c.toks), c.what, firstFew(c.toks)))
		}
	}
	if broken != nil {
		return fmt.Errorf("conservation broken (of %d tokens): %s", n-1, strings.Join(broken, ", "))
	}
	return nil
}

// firstFew formats up to eight tokens.
func firstFew(toks []uintptr) string {
	if len(toks) > 8 {
		return fmt.Sprint(toks[:8]) + "…"
	}
	return fmt.Sprint(toks)
}
