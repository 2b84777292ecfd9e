package rseq

import (
	"fmt"
	"math/bits"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
)

// A family's per-CPU memory is one block per index, found through the
// family's block table (see arch.StackDesc): control words first — the stop
// word and each member's top and capacity — then each member's slots. A
// block is written only by sections running on its index, or by a thread
// that has set its stop word and fenced. Word stacks and counters allocate
// every index's block up front, in one array; entry stacks allocate an
// index's block when a thread first pushes there (entries.go), and until
// then the index's table entry points at the placeholder.

// minBlock keeps neighbouring indexes two cache lines apart even for a
// single counter, so adjacent-line prefetch never makes them share.
const minBlock = 128

// placeholder is the block of every index a family has none for: its stop
// word is set for good, so sections report Stopped there and touch nothing.
// Only its stop word is ever read.
var placeholder = func() unsafe.Pointer {
	var words [arch.StopOff/arch.WordSize + 1]uintptr
	words[arch.StopOff/arch.WordSize] = 1
	return unsafe.Pointer(&words)
}()

// blockShift returns log2 of the smallest power of two ≥ max(need, minBlock).
func blockShift(need uintptr) uintptr {
	if need <= minBlock {
		need = minBlock
	}
	return uintptr(bits.Len64(uint64(need - 1)))
}

// layout places members with the given capacities in a block whose slots
// are slotBytes each, with extra slots of framing per member (sentinels).
// Member 0's slots come last, so that its capacity may differ from block to
// block (entry stacks grow it) while every other offset stays put. It
// returns each member's slot offset and the bytes a block needs.
func layout(capacities []int, slotBytes, extra uintptr) (slotOff []uintptr, size uintptr) {
	off := arch.ControlBytes(len(capacities))
	slotOff = make([]uintptr, len(capacities))
	for k := 1; k <= len(capacities); k++ {
		k := k % len(capacities) // 1, 2, …, then 0
		c := capacities[k]
		if c <= 0 {
			panic(fmt.Sprintf("rseq: stack capacity %d is not positive", c))
		}
		slotOff[k] = off + extra/2*slotBytes
		off += (uintptr(c) + extra) * slotBytes
	}
	return slotOff, off
}

// blocks is a family's block table. Its entries change only under the
// family's lock (and, for an index sections may be running on, only after
// the old block was stopped and fenced); sections and readers load them
// atomically.
type blocks struct {
	table []unsafe.Pointer
}

// newBlocks returns a table whose every index has the placeholder.
// The table has whole cache lines of its own (see headLine).
func newBlocks() blocks {
	b := blocks{table: linePointers(nIndexes)}
	fillPlaceholders(b.table)
	return b
}

// fillPlaceholders points every entry of a new table at the placeholder.
func fillPlaceholders(table []unsafe.Pointer) {
	for i := range table {
		table[i] = placeholder
	}
}

// fill gives every index a block of 1<<shift bytes of mem, in order.
func (b *blocks) fill(mem unsafe.Pointer, shift uintptr) {
	for i := range b.table {
		b.table[i] = unsafe.Add(mem, uintptr(i)<<shift)
	}
}

// block returns index i's block, or the placeholder.
func (b *blocks) block(i int) unsafe.Pointer { return atomic.LoadPointer(&b.table[i]) }

// has reports whether index i has a block of its own.
func (b *blocks) has(i int) bool { return b.block(i) != placeholder }

// word returns the control word at off in index i's block (which must not
// be the placeholder unless off is arch.StopOff).
func (b *blocks) word(i int, off uintptr) *uintptr {
	return (*uintptr)(unsafe.Add(b.block(i), off))
}

func (b *blocks) desc(topOff, slotOff uintptr) arch.StackDesc {
	return arch.StackDesc{Blocks: unsafe.Pointer(&b.table[0]), TopOff: topOff, SlotOff: slotOff, N: uintptr(nIndexes)}
}

// stopAll sets every index's stop word and fences, so that no section of
// this family runs until restartAll; on error nothing stays stopped.
func (b *blocks) stopAll() error {
	for i := range b.table {
		if b.has(i) {
			atomic.StoreUintptr(b.word(i, arch.StopOff), 1)
		}
	}
	if err := fence(-1); err != nil {
		b.restartAll()
		return err
	}
	return nil
}

// restartAll clears the stop words; the atomic stores publish whatever the
// stopping thread wrote before them.
func (b *blocks) restartAll() {
	for i := range b.table {
		if b.has(i) {
			atomic.StoreUintptr(b.word(i, arch.StopOff), 0)
		}
	}
}

// alignedWords returns n zeroed words starting on an align-byte boundary.
func alignedWords(n int, align uintptr) []uintptr {
	w := make([]uintptr, n+int(align/arch.WordSize))
	skip := (align - uintptr(unsafe.Pointer(&w[0]))%align) % align / arch.WordSize
	return w[skip : skip+uintptr(n)]
}

// linePointers returns n nil pointers on whole cache lines of their own:
// the slice starts on a line, and its capacity runs to the end of its last
// line. Small allocations of whole lines start on a line (see cacheLines);
// a large one starts after a malloc header (above mallocHeaderMax bytes),
// so it gets a line more, to skip to a line. The skip is whole pointers:
// every Go allocation holding pointers starts pointer-aligned, so a line
// boundary lies a whole number of pointers in.
func linePointers(n int) []unsafe.Pointer {
	perLine := int(cacheLine / unsafe.Sizeof(unsafe.Pointer(nil)))
	lines := (n + perLine - 1) / perLine * perLine
	if uintptr(lines)*unsafe.Sizeof(unsafe.Pointer(nil)) <= mallocHeaderMax {
		if p := make([]unsafe.Pointer, lines); uintptr(unsafe.Pointer(&p[0]))%cacheLine == 0 {
			return p[:n]
		}
	}
	p := make([]unsafe.Pointer, lines+perLine)
	skip := int((cacheLine - uintptr(unsafe.Pointer(&p[0]))%cacheLine) % cacheLine / unsafe.Sizeof(p[0]))
	return p[skip : skip+n : skip+lines]
}

// alignedEntries returns n zeroed entries starting on an align-byte boundary.
func alignedEntries(n int, align uintptr) []arch.Entry {
	extra := int(align / arch.EntrySize)
	e := make([]arch.Entry, n+extra)
	skip := (align - uintptr(unsafe.Pointer(&e[0]))%align) % align / arch.EntrySize
	return e[skip : skip+uintptr(n)]
}

// shardCount is the number of fallback shards a structure gets.
func shardCount() int {
	n := max(runtime.GOMAXPROCS(0), runtime.NumCPU())
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// stacks is what both stack families are built on: the block table, and
// per member the section descriptor, where its slots start in a block and
// its capacity. WordStacks and EntryStacks differ in what a slot holds,
// how blocks come to be (all at once, or each index's at its first push)
// and what their sections must do while the GC marks; they share this and
// the fallback shards (spill.go).
type stacks struct {
	blocks
	descs   []*arch.StackDesc // each on a cache line of its own (see headLine)
	slotOff []uintptr
	caps    []int // member k's capacity (for a growing member 0, the most it grows to)
}

// newStacks returns the core of a family with one member per capacity,
// each member's slots starting at slotOff[k] in a block, and no blocks yet.
func newStacks(capacities []int, slotOff []uintptr) stacks {
	s := stacks{slotOff: slotOff, caps: append([]int(nil), capacities...)}
	head := new(headLine)
	if nIndexes <= len(head.table) {
		s.blocks = blocks{table: head.table[:nIndexes]}
		fillPlaceholders(s.table)
	} else {
		s.blocks = newBlocks()
	}
	for k := range capacities {
		d := &head.desc
		if k > 0 {
			d = &new(headLine).desc // the rest of its line unused
		}
		*d = s.desc(arch.TopOffset(k), slotOff[k])
		s.descs = append(s.descs, d)
	}
	return s
}

// headLine is one cache line holding member 0's section descriptor and,
// on machines with few enough indexes, the block table it points at: the
// two things every section call reads before the block. Neither shares its
// line with another object: a neighbour that another CPU writes (any small
// allocation) would turn those reads into cache misses, which made a
// Get+Put pair run at half speed with two CPUs in about one process in
// five. A 64-byte object goes to the allocator's 64-byte size class, whose
// objects start on 64-byte boundaries. Other members' descriptors get a
// headLine of their own too, its table unused; a larger table gets whole
// lines of its own (linePointers).
type headLine struct {
	desc  arch.StackDesc
	table [(cacheLine - unsafe.Sizeof(arch.StackDesc{})) / unsafe.Sizeof(unsafe.Pointer(nil))]unsafe.Pointer
}

// Members is the number of stacks per CPU.
func (s *stacks) Members() int { return len(s.caps) }

// Capacity returns member k's per-CPU capacity as set at construction (for
// a growing member 0, the most it grows to).
func (s *stacks) Capacity(k int) int { return s.caps[k] }

// Desc returns member k's section descriptor while sections run in this
// process, and nil otherwise. It lets a caller whose fast path matters call
// member k's section itself (arch.PushWord and arch.PopWord for words,
// arch.PushEntry and arch.PopEntry for entries), saving a call level; any
// status other than a clean commit must then go to the family's PushAfter
// or PopAfter, which finish the call exactly as Push and Pop would.
func (s *stacks) Desc(k int) *arch.StackDesc {
	if !on {
		return nil
	}
	return s.descs[k]
}

// stopAllIfOn stops the family when sections run; in the fallback there is
// nothing to stop.
func (s *stacks) stopAllIfOn() error {
	if !on {
		return nil
	}
	return s.stopAll()
}
