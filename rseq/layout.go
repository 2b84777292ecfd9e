package rseq

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// blockBytes is the size of one index's control block: two cache lines, so
// neighbouring indexes never share a line even with adjacent-line prefetch.
const blockBytes = 128

// controlBlocks holds one control block per index: word 0 is the index's
// stop word, then two words (top, capacity) per family member. Sections on
// index i, or a thread that stopped and fenced i, are the only writers.
type controlBlocks struct {
	words  []uintptr // 128-byte aligned
	stride uintptr   // bytes between blocks
}

func newControlBlocks(members int) controlBlocks {
	need := uintptr(1+2*members) * 8
	stride := (need + blockBytes - 1) / blockBytes * blockBytes
	return controlBlocks{words: alignedWords(int(stride) / 8 * nIndexes), stride: stride}
}

// alignedWords returns n zeroed words starting on a blockBytes boundary.
func alignedWords(n int) []uintptr {
	const extra = blockBytes / 8
	w := make([]uintptr, n+extra)
	skip := (blockBytes - uintptr(unsafe.Pointer(&w[0]))%blockBytes) % blockBytes / 8
	return w[skip : skip+uintptr(n)]
}

func (c *controlBlocks) base() unsafe.Pointer { return unsafe.Pointer(&c.words[0]) }

// word returns control word w (0: stop; 1+2k: member k's top; 2+2k: its
// capacity) of index i.
func (c *controlBlocks) word(i, w int) *uintptr {
	return &c.words[i*int(c.stride/8)+w]
}

func topOff(member int) uintptr { return uintptr(1+2*member) * 8 }

// stopAll sets every index's stop word and fences, so that no section of
// this family runs until restartAll; on error nothing stays stopped.
func (c *controlBlocks) stopAll() error {
	for i := 0; i < nIndexes; i++ {
		atomic.StoreUintptr(c.word(i, 0), 1)
	}
	if err := fence(-1); err != nil {
		c.restartAll()
		return err
	}
	return nil
}

// restartAll clears the stop words; the atomic stores publish whatever the
// stopping thread wrote before them.
func (c *controlBlocks) restartAll() {
	for i := 0; i < nIndexes; i++ {
		atomic.StoreUintptr(c.word(i, 0), 0)
	}
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
