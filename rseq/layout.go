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
// atomically. An entry family's table starts short and grows (growTable)
// to the highest index that has used the family; a table never shrinks.
type blocks struct {
	// tab points at the table: first, or a longer copy once the table has
	// grown. The slice a load returns never changes length.
	tab   atomic.Pointer[[]unsafe.Pointer]
	first []unsafe.Pointer
}

// init makes t the table. Call it on b where b stays: tab points into b.
func (b *blocks) init(t []unsafe.Pointer) {
	b.first = t
	b.tab.Store(&b.first)
}

// table returns the table as it is now.
func (b *blocks) table() []unsafe.Pointer { return *b.tab.Load() }

// fullTable returns a table of every index, each with the placeholder, on
// whole cache lines of its own (see headLine).
func fullTable() []unsafe.Pointer {
	t := linePointers(nIndexes)
	fillPlaceholders(t)
	return t
}

// fillPlaceholders points every entry of a new table at the placeholder.
func fillPlaceholders(table []unsafe.Pointer) {
	for i := range table {
		table[i] = placeholder
	}
}

// fill gives every index a block of 1<<shift bytes of mem, in order.
func (b *blocks) fill(mem unsafe.Pointer, shift uintptr) {
	t := b.table()
	for i := range t {
		t[i] = unsafe.Add(mem, uintptr(i)<<shift)
	}
}

// block returns index i's block, or the placeholder (also past the table).
func (b *blocks) block(i int) unsafe.Pointer {
	if t := b.table(); i < len(t) {
		return atomic.LoadPointer(&t[i])
	}
	return placeholder
}

// set makes blk index i's block (i within the table); the atomic store
// publishes blk's contents. Called with the family's lock held.
func (b *blocks) set(i int, blk unsafe.Pointer) { atomic.StorePointer(&b.table()[i], blk) }

// has reports whether index i has a block of its own.
func (b *blocks) has(i int) bool { return b.block(i) != placeholder }

// word returns the control word at off in index i's block (which must not
// be the placeholder unless off is arch.StopOff).
func (b *blocks) word(i int, off uintptr) *uintptr {
	return (*uintptr)(unsafe.Add(b.block(i), off))
}

func (b *blocks) desc(topOff, slotOff uintptr) arch.StackDesc {
	t := b.table()
	return arch.StackDesc{Blocks: unsafe.Pointer(unsafe.SliceData(t)), TopOff: topOff, SlotOff: slotOff, N: uintptr(len(t))}
}

// growingTableStart is how many indexes a growing table starts with (or
// every index, if there are fewer): those that fit in member 0's head
// line. Tests lower it (to 0: every index's first use grows the table).
var growingTableStart = len(headLine{}.table)

// stopAll sets every index's stop word and fences, so that no section of
// this family runs until restartAll; on error nothing stays stopped.
func (b *blocks) stopAll() error {
	for i := range b.table() {
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
	for i := range b.table() {
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

// shardCount is the number of fallback shards a structure makes with it:
// the power of two at or above GOMAXPROCS when it is made, as sync.Pool
// sizes its per-P array, not the CPU count, which in a container limited
// to a few CPUs of a large machine (Go 1.25 sets GOMAXPROCS from the limit)
// is many times larger: 128 bytes a shard that no P would own. (The
// entry and word families make the shards of later Ps as those come:
// spills.)
func shardCount() int { return powerOfTwoAtLeast(runtime.GOMAXPROCS(0)) }

// slotCount is the number of P ids a fallback family has a slot for: the
// power of two at or above both GOMAXPROCS and the CPU count, the most
// GOMAXPROCS reaches without oversubscribing the CPUs (spills).
func slotCount() int { return powerOfTwoAtLeast(max(runtime.GOMAXPROCS(0), runtime.NumCPU())) }

func powerOfTwoAtLeast(n int) int {
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

// init makes s the core of a family with one member per capacity, each
// member's slots starting at slotOff[k] in a block, and no blocks yet. A
// growing table (entry families) starts with the indexes that fit in
// member 0's head line and grows when a higher index is used; a fixed one
// has every index from the start. Call it on s where s stays.
func (s *stacks) init(capacities []int, slotOff []uintptr, growing bool) {
	s.slotOff, s.caps = slotOff, append([]int(nil), capacities...)
	head := new(headLine)
	switch {
	case growing:
		n := min(growingTableStart, nIndexes)
		fillPlaceholders(head.table[:n])
		s.blocks.init(head.table[:n])
	case nIndexes <= len(head.table):
		fillPlaceholders(head.table[:nIndexes])
		s.blocks.init(head.table[:nIndexes])
	default:
		s.blocks.init(fullTable())
	}
	for k := range capacities {
		d := &head.desc
		if k > 0 {
			d = &new(headLine).desc // the rest of its line unused
		}
		*d = s.desc(arch.TopOffset(k), slotOff[k])
		s.descs = append(s.descs, d)
	}
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
