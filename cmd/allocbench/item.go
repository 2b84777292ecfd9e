package main

import (
	"sync/atomic"
	"unsafe"
)

// Item is the record every pointer pool hands out: 64 bytes, one cache line,
// with no pointers, so the garbage collector never scans its contents.
type Item struct {
	// holder is the token of the goroutine that holds the record, or 0. Only
	// the conservation test writes it: it proves no record is held twice.
	holder atomic.Uint64
	// slot is the index that the pool which created the record gave it (the
	// Treiber stack names its nodes this way), or 0. Only that pool reads it.
	slot uint32
	// Data is the payload; workloads write it to use the record.
	Data [52]byte
}

// itemSize is checked at compile time: a change to Item that alters its size
// fails to build here.
const itemSize = 64

var (
	_ [itemSize - unsafe.Sizeof(Item{})]byte
	_ [unsafe.Sizeof(Item{}) - itemSize]byte
)
