package rseq

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/stresstest"
)

// stackWorker is one worker's state in a word-stack stress run.
type stackWorker struct {
	held []uintptr
	rng  *rand.Rand
	buf  [16]uintptr
}

// How a word-stack stress run calls the stacks.
type wordOps int

const (
	wordsSingle wordOps = iota // Push and Pop
	wordsBatch                 // Push and Pop, PushBatch and PopBatch
	wordsDirect                // the sections themselves through Desc, finished by PushAfter and PopAfter
)

func TestWordStacksConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		runWordStress(t, l, wordsSingle)
	})
}

func TestWordStacksBatchConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		runWordStress(t, l, wordsBatch)
	})
}

// TestWordStacksDirectConservation drives the sections as package slab's
// fast paths do: arch.PushWord and arch.PopWord with Desc's descriptor,
// every status but a clean commit handed to PushAfter or PopAfter.
func TestWordStacksDirectConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		runWordStress(t, l, wordsDirect)
	})
}

// push and pop are Push and Pop, or their direct equivalents.
func (ops wordOps) push(s *WordStacks, k int, v uintptr) bool {
	if d := s.Desc(k); ops == wordsDirect && d != nil {
		st := arch.PushWord(d, v)
		return st == arch.Committed || s.PushAfter(k, v, st)
	}
	return s.Push(k, v)
}

func (ops wordOps) pop(s *WordStacks, k int) (uintptr, bool) {
	if d := s.Desc(k); ops == wordsDirect && d != nil {
		v, st := arch.PopWord(d)
		if st == arch.Committed {
			return v, true
		}
		return s.PopAfter(k, v, st)
	}
	return s.Pop(k)
}

// runWordStress hands tokens between workers through a two-member family
// with small capacities, so stacks fill and empty all the time.
func runWordStress(t *testing.T, l load, ops wordOps) {
	const perWorker = 24
	workers := l.lockedThreads + l.goroutines
	tokens := workers*perWorker + 1
	s := NewWordStacks([]int{8, 32})
	led := stresstest.NewLedger(tokens)
	ws := make([]stackWorker, workers)
	for w := range ws {
		ws[w].rng = rand.New(rand.NewPCG(uint64(w), 1))
		for j := 0; j < perWorker; j++ {
			tok := uintptr(w*perWorker + j + 1)
			ws[w].held = append(ws[w].held, tok)
			led.Claim(tok, w)
		}
	}
	l.run(t, func(w, i int) {
		me := &ws[w]
		k := me.rng.IntN(2)
		switch {
		case ops == wordsBatch && me.rng.IntN(4) == 0:
			me.batchStep(s, k, w, led)
		case len(me.held) > 0 && me.rng.IntN(2) == 0:
			tok := me.held[len(me.held)-1]
			led.Release(tok)
			if ops.push(s, k, tok) {
				me.held = me.held[:len(me.held)-1]
			} else {
				led.Claim(tok, w)
			}
		default:
			if tok, ok := ops.pop(s, k); ok {
				led.Claim(tok, w)
				me.held = append(me.held, tok)
			}
		}
	})
	led.Check(t)
	var drained []uintptr
	if err := s.Drain(func(k int, words []uintptr) { drained = append(drained, words...) }); err != nil && Enabled() {
		t.Fatalf("Drain: %v", err)
	}
	held := make([][]uintptr, len(ws))
	for w := range ws {
		held[w] = ws[w].held
	}
	led.Conserve(t, held, drained)
}

func (me *stackWorker) batchStep(s *WordStacks, k, w int, led *stresstest.Ledger) {
	if len(me.held) >= len(me.buf) && me.rng.IntN(2) == 0 {
		n := 1 + me.rng.IntN(len(me.buf))
		src := me.held[len(me.held)-n:]
		for _, tok := range src {
			led.Release(tok)
		}
		pushed := s.PushBatch(k, src)
		for _, tok := range src[pushed:] {
			led.Claim(tok, w)
		}
		// PushBatch takes from the front of src; keep the rest.
		rest := append([]uintptr(nil), src[pushed:]...)
		me.held = append(me.held[:len(me.held)-n], rest...)
		return
	}
	n := s.PopBatch(k, me.buf[:1+me.rng.IntN(len(me.buf))])
	for _, tok := range me.buf[:n] {
		led.Claim(tok, w)
		me.held = append(me.held, tok)
	}
}

func TestWordStacksFullAndEmpty(t *testing.T) {
	s := NewWordStacks([]int{4})
	if _, ok := s.Pop(0); ok {
		t.Fatal("Pop on a new family returned a word")
	}
	// Whatever CPU and path each call takes, the family never holds more
	// than capacity per CPU index plus capacity per shard.
	limit := 4 * (NumIndexes() + len(madeShards(&s.spills)))
	pushed := 0
	for i := 0; i < limit+10; i++ {
		if s.Push(0, uintptr(i+1)) {
			pushed++
		}
	}
	if pushed > limit || pushed < 4 {
		t.Fatalf("pushed %d words into capacity-4 stacks (limit %d)", pushed, limit)
	}
	if got := s.Len(0); got != pushed {
		t.Fatalf("Len = %d, want %d", got, pushed)
	}
	var drained []uintptr
	if err := s.Drain(func(k int, w []uintptr) { drained = append(drained, w...) }); err != nil && Enabled() {
		t.Fatalf("Drain: %v", err)
	}
	if len(drained) != pushed || s.Len(0) != 0 {
		t.Fatalf("drained %d of %d, %d left", len(drained), pushed, s.Len(0))
	}
}

func TestWordStacksLIFOOnOneThread(t *testing.T) {
	lockedOnOneCPU(t, func() bool {
		s := NewWordStacks([]int{64})
		for v := uintptr(1); v <= 10; v++ {
			if !s.Push(0, v) {
				t.Logf("push %d refused", v)
				return false
			}
		}
		dst := make([]uintptr, 4)
		if n := s.PopBatch(0, dst); n != 4 || dst[0] != 7 || dst[3] != 10 {
			t.Logf("PopBatch = %d %v, want 4 [7 8 9 10]", n, dst)
			return false
		}
		if n := s.PushBatch(0, dst); n != 4 {
			t.Logf("PushBatch = %d", n)
			return false
		}
		for want := uintptr(10); want >= 1; want-- {
			if v, ok := s.Pop(0); !ok || v != want {
				t.Logf("Pop = %d %v, want %d", v, ok, want)
				return false
			}
		}
		return true
	})
}

func TestWordStacksSetLimit(t *testing.T) {
	s := NewWordStacks([]int{16})
	if err := s.SetLimit(0, 0); err == nil {
		t.Fatal("SetLimit(0) accepted")
	}
	if err := s.SetLimit(0, 17); err == nil {
		t.Fatal("SetLimit above capacity accepted")
	}
	if err := s.SetLimit(0, 2); err != nil {
		t.Fatalf("SetLimit: %v", err)
	}
	if !Enabled() { // every call goes to the calling P's shard
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		n := 0
		for n < 100 && s.Push(0, uintptr(n+1)) {
			n++
		}
		if n != 2 {
			t.Fatalf("%d pushes fit in a shard limited to 2", n)
		}
		return
	}
	lockedOnOneCPU(t, func() bool {
		want := 2 // the per-CPU limit, which a shard follows too
		n := 0
		for n < 100 && s.Push(0, uintptr(n+1)) {
			n++
		}
		s.Drain(func(int, []uintptr) {})
		if n != want {
			t.Logf("%d pushes fit, want %d", n, want)
		}
		return n == want
	})
}
