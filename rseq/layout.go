package rseq

import (
	"fmt"
	"math/bits"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
)

// A family's per-CPU memory is one array of blocks, one block of 1<<shift
// bytes per index (see arch.StackDesc): control words first — the stop word
// and each member's top and capacity — then each member's slots. A block is
// written only by sections running on its index, or by a thread that has
// set its stop word and fenced.

// minBlock keeps neighbouring indexes two cache lines apart even for a
// single counter, so adjacent-line prefetch never makes them share.
const minBlock = 128

// blockShift returns log2 of the smallest power of two ≥ max(need, minBlock).
func blockShift(need uintptr) uintptr {
	if need <= minBlock {
		need = minBlock
	}
	return uintptr(bits.Len64(uint64(need - 1)))
}

// layout places members with the given capacities in a block whose slots
// are slotBytes each, with extra slots of framing per member (sentinels).
// It returns each member's slot offset and the block shift.
func layout(capacities []int, slotBytes, extra uintptr) (slotOff []uintptr, shift uintptr) {
	off := arch.ControlBytes(len(capacities))
	for _, c := range capacities {
		if c <= 0 {
			panic(fmt.Sprintf("rseq: stack capacity %d is not positive", c))
		}
		slotOff = append(slotOff, off+extra/2*slotBytes)
		off += (uintptr(c) + extra) * slotBytes
	}
	return slotOff, blockShift(off)
}

// blocks describes a family's block array.
type blocks struct {
	base  unsafe.Pointer
	shift uintptr
}

func (b *blocks) block(i int) unsafe.Pointer { return unsafe.Add(b.base, uintptr(i)<<b.shift) }

// word returns the control word at off in index i's block.
func (b *blocks) word(i int, off uintptr) *uintptr {
	return (*uintptr)(unsafe.Add(b.block(i), off))
}

func (b *blocks) desc(topOff, slotOff uintptr) arch.StackDesc {
	return arch.StackDesc{Base: b.base, Shift: b.shift, TopOff: topOff, SlotOff: slotOff, N: uintptr(nIndexes)}
}

// stopAll sets every index's stop word and fences, so that no section of
// this family runs until restartAll; on error nothing stays stopped.
func (b *blocks) stopAll() error {
	for i := 0; i < nIndexes; i++ {
		atomic.StoreUintptr(b.word(i, arch.StopOff), 1)
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
	for i := 0; i < nIndexes; i++ {
		atomic.StoreUintptr(b.word(i, arch.StopOff), 0)
	}
}

// alignedWords returns n zeroed words starting on an align-byte boundary.
func alignedWords(n int, align uintptr) []uintptr {
	w := make([]uintptr, n+int(align/8))
	skip := (align - uintptr(unsafe.Pointer(&w[0]))%align) % align / 8
	return w[skip : skip+uintptr(n)]
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
