package main

import "github.com/gorseq/percpu/alloc"

// The project's own pools and arena, on per-CPU restartable sequences. Each
// also runs as NAME/fallback, in a child process with PERCPU_RSEQ=off.
func init() {
	register(Contender{
		Name:     "alloc",
		About:    "alloc.Pool and alloc.Buffers (per-CPU rseq caches + depot)",
		Fallback: true,
		NewPool: func(newItem func() *Item) Pool {
			a := &allocPool{}
			a.p.New = func() any { return newItem() }
			return a
		},
		NewBufferPool: func(newBuffer func(n int) []byte) BufferPool {
			return &allocBuffers{b: alloc.Buffers{New: newBuffer}}
		},
	})
	register(Contender{
		Name:     "allocof",
		About:    "alloc.PoolOf[*Item] (typed, no boxing)",
		Fallback: true,
		NewPool: func(newItem func() *Item) Pool {
			return &allocPoolOf{p: alloc.PoolOf[*Item]{New: newItem}}
		},
	})
	register(Contender{
		Name:     "allocarena",
		About:    "alloc.Arena: bump allocation in off-heap slab chunks, one Free per request",
		Fallback: true,
		OffHeap:  true,
		NewArena: func(func() *Item) Arena { return &allocArena{} },
		NewKVShard: func() KVShard {
			return KVShard{Records: newHeapRecords(), Scratch: &arenaScratch{}}
		},
	})
}

type allocPool struct{ p alloc.Pool }

func (a *allocPool) Get() *Item  { return a.p.Get().(*Item) }
func (a *allocPool) Put(x *Item) { a.p.Put(x) }

type allocPoolOf struct{ p alloc.PoolOf[*Item] }

func (a *allocPoolOf) Get() *Item  { return a.p.Get() }
func (a *allocPoolOf) Put(x *Item) { a.p.Put(x) }

type allocBuffers struct{ b alloc.Buffers }

func (a *allocBuffers) GetBytes(n int) []byte { return a.b.Get(n) }
func (a *allocBuffers) PutBytes(b []byte)     { a.b.Put(b) }

// allocArena is a zero alloc.Arena: its chunks come from the slab Allocator
// that package alloc shares among all arenas of the process.
type allocArena struct{ a alloc.Arena }

func (a *allocArena) New() *Item { return alloc.New[Item](&a.a) }
func (a *allocArena) Free()      { a.a.Free() }

// Close frees what the arena still holds; the shared Allocator stays open.
func (a *allocArena) Close() { a.a.Free() }

// arenaScratch builds each kv request's buffers in an alloc.Arena and frees
// them together when the request ends; the records stay on the Go heap.
type arenaScratch struct{ a alloc.Arena }

func (s *arenaScratch) Bytes(n int) []byte { return alloc.MakeSlice[byte](&s.a, n, n) }
func (s *arenaScratch) Free()              { s.a.Free() }
