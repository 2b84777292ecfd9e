package rseq

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/gorseq/percpu/internal/race"
)

// TestFamilyBytesFollowTheIndexesUsed measures what a family used on one
// CPU costs on the heap with this machine's indexes and with 512 of them (a
// cloud VM may report hundreds of possible CPUs and run on two). The block
// table grows by a pointer per index, as it must (the sections index it
// directly); nothing else may grow with the indexes a family never uses.
// Before the reservation counted only used indexes, it grew by 8 bytes per
// index more.
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
	// What a table of n indexes costs, rounded to the allocator's size
	// classes as the family's own is.
	tableBytes := func(n int) int64 {
		tables := make([][]unsafe.Pointer, families)
		before := heap()
		for j := range tables {
			tables[j] = linePointers(n)
		}
		bytes := (heap() - before) / families
		runtime.KeepAlive(tables)
		return bytes
	}
	few, lots := perFamily(nIndexes), perFamily(many)
	table := tableBytes(many) - tableBytes(nIndexes)
	t.Logf("a family used on one CPU: %d B with %d indexes, %d B with %d (its table: %d B more)", few, nIndexes, lots, many, table)
	if lots-few > table+1024 { // before: 8 B per index more, 4 KiB here
		t.Errorf("with %d indexes instead of %d a family costs %d B more, its table only %d B more: something else is sized by the indexes", many, nIndexes, lots-few, table)
	}
}
