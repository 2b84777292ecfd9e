package rseq

import (
	"runtime"
	"testing"

	"github.com/gorseq/percpu/internal/race"
)

// TestFamilyBytesFollowTheIndexesUsed measures what a family used on one
// CPU costs on the heap with this machine's indexes and with 512 of them (a
// cloud VM may report hundreds of possible CPUs and run on two): nothing
// may grow with the indexes a family never uses. Before the reservation
// counted only used indexes, it grew by 8 bytes per index; before the
// block table grew to the indexes used (growTable), by another 8 (4,728 B
// more per family at 512).
func TestFamilyBytesFollowTheIndexesUsed(t *testing.T) {
	if race.Enabled {
		t.Skip("the test sets nIndexes, which other goroutines read")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if !Enabled() || !threadRunsSections() {
		t.Skip("per-CPU blocks need sections: " + Status().Reason)
	}
	if _, ok := currentIndex(); !ok {
		t.Skip("this thread has no index")
	}
	const families, many = 1000, 512
	tk := newToken(1)
	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	perFamily := func(indexes int) int64 {
		real := nIndexes
		nIndexes = indexes
		defer func() { nIndexes = real }()
		fams := make([]*EntryStacks, families)
		before := heap()
		for j := range fams {
			fams[j] = NewGrowingEntryStacks([]int{64}, 4)
			if !fams[j].Push(0, entryOf(tk)) {
				t.Fatal("a push to a new family failed")
			}
		}
		bytes := (heap() - before) / families
		for _, f := range fams {
			if err := f.Drain(func(int, []Entry) {}); err != nil {
				t.Fatal(err)
			}
		}
		return bytes
	}
	few, lots := perFamily(nIndexes), perFamily(many)
	t.Logf("a family used on one CPU: %d B with %d indexes, %d B with %d", few, nIndexes, lots, many)
	if lots-few > 256 {
		t.Errorf("with %d indexes instead of %d a family used on one CPU costs %d B more: something is sized by the indexes it never used", many, nIndexes, lots-few)
	}
}
