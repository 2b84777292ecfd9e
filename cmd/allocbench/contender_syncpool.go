package main

import (
	"sync"
	"unsafe"
)

// sync.Pool, the standard library's per-P pool and the reference every other
// contender is compared with ("vs sync.Pool" in the table).
func init() {
	register(Contender{
		Name:          "syncpool",
		About:         "sync.Pool (per-P, emptied by GC, the reference)",
		NewPool:       newSyncPool,
		NewBufferPool: newSyncBufferPool,
	})
}

// syncPool adapts sync.Pool to Pool.
type syncPool struct{ p sync.Pool }

func newSyncPool(newItem func() *Item) Pool {
	s := &syncPool{}
	s.p.New = func() any { return newItem() }
	return s
}

func (s *syncPool) Get() *Item  { return s.p.Get().(*Item) }
func (s *syncPool) Put(x *Item) { s.p.Put(x) }

// syncBufferPool keeps one sync.Pool per power-of-two size class. It stores
// a buffer as the pointer to its first byte: a pointer converts to an
// interface without allocating, where a *[]byte would need a new box on
// every Put. The class gives back the capacity.
type syncBufferPool struct {
	classes   [bufferClasses]sync.Pool
	newBuffer func(n int) []byte
}

func newSyncBufferPool(newBuffer func(n int) []byte) BufferPool {
	return &syncBufferPool{newBuffer: newBuffer}
}

func (s *syncBufferPool) GetBytes(n int) []byte {
	c, ok := classOf(n)
	if !ok {
		return s.newBuffer(n)
	}
	if p, _ := s.classes[c].Get().(*byte); p != nil {
		return unsafe.Slice(p, classSize(c))[:n]
	}
	return s.newBuffer(classSize(c))[:n]
}

func (s *syncBufferPool) PutBytes(b []byte) {
	if c, ok := classOf(cap(b)); ok && cap(b) == classSize(c) {
		s.classes[c].Put(unsafe.SliceData(b))
	}
}
