package rseq

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
)

// TestSectionInputsOwnTheirCacheLines checks that what every section call
// reads — a member's descriptor and the family's block table — sits on
// cache lines no other object shares, for families of 1 to 17 members:
// a small object placed beside them and written by another CPU made a
// Get+Put pair run at half speed with two CPUs in about one process in
// five.
func TestSectionInputsOwnTheirCacheLines(t *testing.T) {
	check := func(name string, s *stacks) {
		t.Helper()
		for k, d := range s.descs {
			if a := uintptr(unsafe.Pointer(d)); a%cacheLine != 0 {
				t.Errorf("%s: member %d's descriptor at %#x is not on a cache line", name, k, a)
			}
		}
		if unsafe.Sizeof(headLine{}) != cacheLine {
			t.Errorf("a head line is %d bytes", unsafe.Sizeof(headLine{}))
		}
		tab := s.table()
		tab = tab[:cap(tab)]
		start := uintptr(unsafe.Pointer(&tab[0]))
		end := start + uintptr(len(tab))*unsafe.Sizeof(tab[0])
		line0 := uintptr(unsafe.Pointer(s.descs[0]))
		inHead := start >= line0 && end <= line0+cacheLine
		if !inHead && (start%cacheLine != 0 || end%cacheLine != 0) {
			t.Errorf("%s: block table at %#x–%#x: neither in member 0's line nor whole lines", name, start, end)
		}
	}
	for _, members := range []int{1, 2, 3, 5, 9, 17} {
		caps := make([]int, members)
		for k := range caps {
			caps[k] = 8
		}
		for range 20 { // neighbours differ from one allocation to the next
			check("EntryStacks", &NewEntryStacks(caps).stacks)
			check("WordStacks", &NewWordStacks(caps).stacks)
		}
	}
}

// TestLinePointersFillWholeLines checks the block table's allocation for
// sizes up to many CPUs, where a malloc header may come first.
func TestLinePointersFillWholeLines(t *testing.T) {
	for n := 1; n <= 300; n++ {
		p := linePointers(n)
		if a := uintptr(unsafe.Pointer(&p[0])); len(p) != n || a%cacheLine != 0 || uintptr(cap(p))*unsafe.Sizeof(p[0])%cacheLine != 0 {
			t.Fatalf("linePointers(%d): len %d, cap %d, at %#x", n, len(p), cap(p), a)
		}
	}
}

// TestLineAllocationsAllocateOnce checks that the block table and a
// block of entries cost one allocation each, at every size: an attempt
// that a malloc header was bound to misalign is not made.
func TestLineAllocationsAllocateOnce(t *testing.T) {
	for _, n := range []int{1, 8, 64, 65, 100, 512} {
		if a := testing.AllocsPerRun(10, func() { linePointers(n) }); a != 1 {
			t.Errorf("linePointers(%d): %v allocations, want 1", n, a)
		}
	}
	// Whole lines of 32-byte entries. Only where sections run (64-bit
	// targets) must a block start on a line: on 32-bit ones a padded
	// allocation above 128 bytes starts a header past one, which no skip of
	// whole 16-byte entries undoes, and no block is ever allocated there.
	sections := arch.WordSize == 8
	for _, n := range []int{2, 6, 8, 12, 16, 18, 20, 64, 300} {
		e := cacheLines(n)
		if a := uintptr(unsafe.Pointer(&e[0])); len(e) != n || sections && uintptr(n)*arch.EntrySize <= mallocHeaderMax && a%cacheLine != 0 {
			t.Errorf("cacheLines(%d): %d entries at %#x, want them on a line", n, len(e), a)
		}
		if a := testing.AllocsPerRun(10, func() { cacheLines(n) }); a != 1 {
			t.Errorf("cacheLines(%d): %v allocations, want 1", n, a)
		}
	}
}

// TestCounterStateOwnsItsCacheLines checks that a Counter's state, whose
// descriptor every Add reads, fills whole cache lines and starts on one.
func TestCounterStateOwnsItsCacheLines(t *testing.T) {
	if unsafe.Sizeof(counterState{})%cacheLine != 0 {
		t.Fatalf("a counter's state is %d bytes, not whole cache lines", unsafe.Sizeof(counterState{}))
	}
	for range 20 {
		if a := uintptr(unsafe.Pointer(NewCounter().s.Load())); a%cacheLine != 0 {
			t.Fatalf("a counter's state at %#x is not on a cache line", a)
		}
	}
}

// TestSpillShardsOwnTheirLines checks that a fallback shard's owner fields
// (its private part's hit path) and its locked fields each sit within one
// cache line, never the same one, for families of 1 to 17 members: shard
// arrays on both sides of mallocHeaderMax, where the allocator starts them
// on a line or a word past one. The placement is checked on 64-bit
// targets only: on 32-bit ones a malloc header comes first from 128 bytes
// up, and the allocator's classes there do not keep the shards on lines
// (a shard is still 128 bytes, and its two halves 64 apart). Half the
// families are made at GOMAXPROCS 1, so that the shards of the other Ps
// are made later, each on its own (spillGroup.install).
func TestSpillShardsOwnTheirLines(t *testing.T) {
	if got := unsafe.Sizeof(spill[Entry]{}); got != 2*cacheLine {
		t.Fatalf("a shard is %d bytes, want %d", got, 2*cacheLine)
	}
	if got := unsafe.Offsetof(spill[Entry]{}.mu); got != cacheLine {
		t.Fatalf("a shard's locked fields start at byte %d, want %d", got, cacheLine)
	}
	if arch.WordSize != 8 {
		return
	}
	procs := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(procs)
	line := func(p unsafe.Pointer) uintptr { return uintptr(p) / cacheLine }
	last := func(p unsafe.Pointer, size uintptr) uintptr { return (uintptr(p) + size - 1) / cacheLine }
	for _, members := range []int{1, 2, 3, 5, 9, 17} {
		for i := range 10 {
			if i%2 == 1 {
				runtime.GOMAXPROCS(1)
			}
			s := newSpills[Entry](members)
			runtime.GOMAXPROCS(procs)
			for k := range members {
				for pid := range s.n {
					s.at(pid, k)
				}
			}
			for i, sh := range madeShards(&s) {
				owner := line(unsafe.Pointer(&sh.n))
				locked := line(unsafe.Pointer(&sh.mu))
				if last(unsafe.Pointer(&sh.member), unsafe.Sizeof(sh.member)) != owner ||
					last(unsafe.Pointer(&sh.group), unsafe.Sizeof(sh.group)) != locked || owner == locked {
					t.Fatalf("%d members: shard %d at %#x: owner fields on lines %d–%d, locked ones on %d–%d",
						members, i, uintptr(unsafe.Pointer(sh)), owner, last(unsafe.Pointer(&sh.member), unsafe.Sizeof(sh.member)),
						locked, last(unsafe.Pointer(&sh.group), unsafe.Sizeof(sh.group)))
				}
			}
		}
	}
}
