package arch

import "unsafe"

// StackDesc tells a section where one family member's per-CPU data lives.
// The assembly reads it at fixed offsets: keep the field order.
//
// For CPU index i, the control block is at Ctl + i*CtlStride. Its first word
// is the stop word shared by everything on that index: non-zero means another
// thread owns the index's data and sections report Stopped. The member's own
// control words are at Ctl + i*CtlStride + TopOff: the top (a count for word
// stacks, a hint for entry stacks; the value for counters) and, 8 bytes
// later, the capacity. The member's slots are at Slots + i*SlotStride.
//
// Ownership: the words of index i are written only by sections running on
// index i, or by a thread that has set index i's stop word and fenced.
type StackDesc struct {
	Ctl        unsafe.Pointer // control block of index 0
	CtlStride  uintptr        // bytes between control blocks
	TopOff     uintptr        // offset of the top word within a control block
	Slots      unsafe.Pointer // first slot of index 0 (nil for counters)
	SlotStride uintptr        // bytes between the slot arrays of two indexes
	N          uintptr        // number of indexes; larger ones report Unavailable
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

// Control-word offsets within a control block.
const (
	StopWordOff = 0 // the index's stop word
	CapOff      = 8 // capacity, relative to TopOff
)
