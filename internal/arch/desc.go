package arch

import "unsafe"

// StackDesc tells a section where one family member's per-CPU data lives.
// The assembly reads its fields through the offsets go_asm.h defines.
//
// Every CPU index owns one block, found through a table: index i's block is
// at Blocks[i], a pointer the section loads (one load, where a base and a
// shift took a shift and an add; it lets blocks be allocated one at a time,
// for the indexes that are used). A block starts with control words laid
// out as Entry values (so a block of entries is ordinary GC-typed memory):
// the stop word is at StopOff, shared by every member; member k's top (a
// count for word stacks, a hint for entry stacks; the value for counters)
// is at TopOff and its capacity at TopOff+8. The member's slots start at
// SlotOff. A table entry may point at a block whose stop word is always set
// (a family's placeholder for an index it has no block for yet): sections
// report Stopped there and touch nothing.
//
// Ownership: index i's block is written only by sections running on index
// i, or by a thread that has set that block's stop word and fenced. A
// block is replaced only the same way, and the block it replaces keeps its
// stop word set for good.
//
// The table may grow (package rseq's entry families): Blocks is replaced
// by a longer copy first and N raised after, and every section reads N
// before Blocks, so the N it checks an index against never exceeds the
// length of the table it indexes.
type StackDesc struct {
	Blocks  unsafe.Pointer // *[N]unsafe.Pointer: index i's block
	TopOff  uintptr        // offset of the member's top word in a block
	SlotOff uintptr        // offset of the member's first slot in a block
	N       uintptr        // number of indexes; larger ones report Unavailable
}

// Entry is one slot of an entry stack: a Go pointer P (non-nil while the slot
// is live), a second Go pointer Aux and two plain words. It holds an
// interface (P = data, Aux = type) or a slice (P, N0 = len, N1 = cap) without
// allocating. The assembly reads it at fixed offsets: keep the field order.
type Entry struct {
	P   unsafe.Pointer
	Aux unsafe.Pointer
	N0  uintptr
	N1  uintptr
}

// EntrySize is the size of an Entry in bytes.
const EntrySize = unsafe.Sizeof(Entry{})

// WordSize is the size of a machine word (uintptr) in bytes: 8 where the
// sections run (amd64, arm64), 4 on 32-bit targets.
const WordSize = unsafe.Sizeof(uintptr(0))

// Control-word offsets in a block. The control words sit where an Entry
// keeps its plain words (N0, N1), so entry blocks need no special type.
const (
	StopOff = 2 * WordSize // the index's stop word: entry 0's N0
	CapOff  = WordSize     // a member's capacity, relative to its TopOff
)

// TopOffset is the offset of member k's top word: entry k+1's N0.
func TopOffset(k int) uintptr { return uintptr(k+1)*EntrySize + 2*WordSize }

// ControlBytes is the size of the control words of a block with members
// members.
func ControlBytes(members int) uintptr { return uintptr(members+1) * EntrySize }
