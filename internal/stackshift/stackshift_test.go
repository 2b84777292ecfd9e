package stackshift

import (
	"testing"
)

// TestNextCoversThePeriod runs a probe at the depths Next hands out and
// checks where its frame lands: Levels() turns must reach every 256-byte
// stretch of one 4 KiB period, so that a benchmark's runs meet both the
// offsets where a loop aliases and those where it does not.
func TestNextCoversThePeriod(t *testing.T) {
	const bucket = 256
	seen := make(map[uintptr]bool)
	for range Levels() {
		if l := Next(); l < 0 || l >= Levels() {
			t.Fatalf("Next returned %d, outside [0, %d)", l, Levels())
		} else {
			seen[uintptr(l)*Frame()%Period/bucket] = true
		}
	}
	if len(seen) != Period/bucket {
		t.Errorf("%d turns reached %d of the %d stretches of %d bytes in one period (frame %d bytes, %d levels)",
			Levels(), len(seen), Period/bucket, bucket, Frame(), Levels())
	}
}

// TestOnGoesDeeper checks that each level lowers the stack by Frame. The
// runtime may move the stack between two calls, so a mismatch is retried.
func TestOnGoesDeeper(t *testing.T) {
	for try := 0; ; try++ {
		d10, d100 := depthStep(10), depthStep(100)
		if d10 == 10*Frame() && d100 == 100*Frame() {
			break
		}
		if try == 10 {
			t.Fatalf("depths 10 and 100 are %d and %d bytes down: not %d per level", d10, d100, Frame())
		}
	}
	if Frame()*uintptr(Levels()) < Period {
		t.Errorf("%d levels of %d bytes do not cover %d", Levels(), Frame(), Period)
	}
}

// TestSpreadSharesEveryIteration checks that Spread runs f over exactly n
// iterations in all, in chunks that differ by at most one.
func TestSpreadSharesEveryIteration(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 100, 1001} {
		var total, lo, hi int
		lo = n
		Spread(n, 8, func(m int) { total += m; lo = min(lo, m); hi = max(hi, m) })
		if total != n || (n >= 8 && hi-lo > 1) {
			t.Errorf("Spread(%d, 8): %d iterations in all, chunks from %d to %d", n, total, lo, hi)
		}
	}
}
