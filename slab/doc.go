// Package slab is an off-heap allocator for pointer-free records: memory
// from mmap that the garbage collector never scans, carved into objects of
// size classes and cached per CPU on restartable sequences, TCMalloc-style.
//
// It is for services that keep many fixed-size records without pointers —
// cache entries, protocol frames, index nodes — and pay for them in GC
// mark time: a record in the slab costs the collector nothing, however
// many there are.
//
//	a, err := slab.New(slab.Options{})
//	recs, err := slab.NewCache[Record](a) // fails if Record holds Go pointers
//	r := recs.New()                      // a zeroed *Record, off the Go heap
//	...
//	recs.Free(r)
//
// # Layers
//
// An allocation of size bytes walks down until a level has an object:
//
//  1. The size class: a table lookup (sizeclasses.go, generated with the
//     worst-case waste of every class) maps size to one of 56 classes from
//     8 bytes to 256 KiB.
//  2. The calling CPU's cache: for each class a bounded stack of object
//     addresses (rseq.WordStacks), popped in one restartable section — no
//     atomic instruction, no lock. This is the whole fast path.
//  3. The depot: a miss moves a batch (up to 32 objects; 64 KiB for large
//     classes) from the class's depot, a mutex-protected stack that
//     the CPUs' overflows fill, onto the CPU's stack.
//  4. The central lists: spans of the class with free objects, found by
//     their free bitmaps. A span is a run of 8 KiB pages holding objects of
//     one class; a span whose objects are all free is idle.
//  5. The page heap: a new span's pages, first fit among the free runs of
//     the Allocator's arenas (64 MiB mappings; 4 MiB on 32-bit targets),
//     or a new arena.
//
// A free walks the other way: a page-table lookup finds the object's span
// and its class without touching the object (through the Allocator's own
// near tables, or the global page map for slots past them), then one push
// onto the calling CPU's stack. When the stack is full, a batch moves to
// the depot, and from a full depot to the spans. Requests above 256 KiB
// are large objects: a span of their own from the page heap, given back to
// the system at Free.
//
// # Metadata
//
// The structures describing spans live outside the Go heap as well, in
// mmap'd chunks shared by all Allocators (spanpool.go), and hold no Go
// pointers; the page map's tables hold span addresses as plain words. So
// the collector has nothing to scan or mark per span, and a slab holding
// millions of objects adds nothing to a collection. The metadata costs
// about 400 bytes per span (5% of an 8 KiB span, less for larger ones).
//
// # Per-CPU caches
//
// The caches are indexed as package rseq decides (mm_cid where the kernel
// has it, else cpu_id). A class's per-CPU limit starts small and doubles
// after repeated misses or overflows, within a byte budget per CPU
// (Options.CacheBytesPerCPU, 1.5 MiB by default, TCMalloc's); when the
// budget is spent, the least active class gives back half of its limit.
// Classes above 1/32 of the budget (48 KiB) skip the per-CPU level. Without
// restartable sequences (seccomp, old kernels, other systems, or
// PERCPU_RSEQ=off) the same stacks are mutex shards chosen by P, with the
// same API; their limits are fixed at the initial ones.
//
// # Returning memory
//
// A span that becomes idle stays with its class for Options.ReleaseDelay
// (1 s by default) for quick reuse; then its memory goes back to the
// system with madvise(MADV_DONTNEED) and its pages to the page heap.
// Release does it at once for every idle span, after draining every CPU's
// cache and every depot into the spans: it stops and fences the CPUs (rseq
// WordStacks.Drain). If the fence fails, the CPUs drain themselves: each
// Alloc and Free first empties the calling CPU's cache until all are
// empty. Address space (the arenas) is kept until Close.
//
// # Statistics
//
// Stats counts misses and overflows per class and per CPU on the slow
// paths, and derives the bytes in use, cached and held from the central
// counts, the depots and the stacks' lengths. Hits are counted only while
// CountHits is on, because counting one costs as much as serving it.
// Publish exposes Stats through expvar.
//
// # Debug mode
//
// Options.Debug, the environment variable PERCPU_SLAB_DEBUG (=1 or
// =protect, in any build) or the slabdebug build tag turn on checks: a
// bit per object catches every double free at the Free; freed memory is
// poisoned and the poison checked at the next Alloc of the object; in
// protect mode the caches are bypassed so that a span is free as soon as
// its objects are, and free spans are made inaccessible, so a use after
// free faults at the access. Off, it costs nothing: the fast paths read
// two gate words anyway (the largest size cached per CPU, and the key a
// span's owner must match), and debug mode, like hit counting and
// self-drain, works by closing them. On, every Alloc and Free takes the
// slow path and writes or checks the whole object: several times slower
// (docs/slab.md has the numbers).
//
// # Memory management
//
// The garbage collector does not know about slab memory. It does not scan
// it, does not free it, and does not keep anything alive because slab
// memory points to it. A user of this package must not:
//
//   - store a Go pointer in slab memory: no pointers, slices, strings,
//     maps, interfaces, channels or funcs, and no struct or array holding
//     one. The collector would free what it points to while the slab
//     still refers to it. NewCache refuses such types; Alloc and Bytes
//     cannot check, so the caller must.
//   - use an object after freeing it, or free it twice: the memory is
//     handed to the next Alloc of its class (on any goroutine) at once.
//     Debug mode catches double frees and writes after free; without it a
//     double free hands the same memory to two owners.
//   - free an object through an Allocator other than the one that
//     allocated it, or free a pointer into the middle of an object (for
//     byte slices: a slice whose start was moved). Free panics on both, and
//     on pointers no Allocator handed out, before changing anything.
//   - keep using objects after Close: their memory is unmapped, and the
//     address may later hold something else, even part of the Go heap.
//   - assume Alloc's memory is zero: it is not (Cache.New and Bytes are).
//   - hold a slab object past the lifetime of the data it describes
//     without freeing it: there is no garbage collection here; an object
//     that is never freed is leaked until Close.
//
// Go pointers to slab memory, on the other hand, are fine anywhere: the
// collector ignores pointers outside its heap. The race detector does not
// see accesses to slab memory (it tracks only the Go heap), so races on
// slab objects go unreported.
package slab
