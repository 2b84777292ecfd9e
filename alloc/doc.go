// Package alloc is what applications import: Pool, a drop-in replacement
// for sync.Pool; PoolOf[T], its typed form, which does not box; Buffers,
// byte slices by size class; and Arena, request-scoped memory freed in one
// call.
//
// # Layers
//
// Pool, PoolOf and Buffers share one machinery (cache.go). A Get walks down
// and stops at the first level that has a value:
//
//  1. the calling CPU's stack: a bounded stack of entries (rseq.EntryStacks,
//     a family per size class, each growing with its load) popped in one
//     restartable section — no atomic instruction, no lock. Pool's Get
//     and Put are that section's call and nothing else (arch.PopAny and
//     PushAny find the section through the pool and inline into the
//     caller; their misses continue in Go), so a hit is one call. PoolOf's
//     are too, for pointers, slices, strings, empty interfaces and values
//     of one or two words without pointers (arch.PopOf and PushOf, told
//     the value's layout by the cache; a boxed value or a non-empty
//     interface always continues in Go); Buffers calls the section
//     (arch.PopEntry) from its own body, one Go call and one section.
//     Where sections cannot run, the same calls
//     run the private section on the calling P's part of the fallback
//     shards instead (arch.PopPrivate: see package rseq's Private);
//  2. the depot (depot.go): per class, a shard per CPU (up to 8), each a
//     mutex-protected stack of batches of up to 16 entries; a miss moves
//     entries to the CPU's stack, half its capacity of them (at most 16),
//     from its CPU's shard or, that empty, from another;
//  3. New (or make, for Buffers).
//
// A Put pushes onto the calling CPU's stack; when that is full, it moves
// half of it (at most 16 entries) to the depot; when the depot is full,
// what does not fit is dropped. Moving half leaves the stack room both
// ways: moving a whole small stack would leave it empty after an overflow
// and full after a refill, and a Get and a Put alternating at its edge
// would then both reach the depot every time.
// Both bounds are fields of every pool type, PerCPU and Depot, set before
// first use (as slab's are Options given to New); the defaults keep up to
// 256 values per CPU and 512 in the depot. A CPU's stack is allocated at
// the first Put there, at StartPerCPU values, and doubles when it
// overflows or runs dry while the depot has values, within the process's
// per-CPU budget (SetPerCPUBudget): a pool costs memory only on the CPUs
// that use it, as much as its load needs.
//
// A Pool's first calls (and a PoolOf's, but for the boxed shape) are
// served by a seed instead (seed.go): one value slot in its cache, under a
// mutex, before the pool has any per-CPU machinery. The pool grows the
// machinery at the first Put that finds the slot full, or at its 16th
// call, so a program with thousands of pools used a few times each pays
// within twice what sync.Pool costs for them (TestManyPoolsMemory), and a
// busy pool leaves the seed within its first calls.
//
// Where restartable sequences are unavailable, and for a thread that cannot
// register, level 1 is a mutex shard per P instead: package rseq switches by
// itself and the API does not change. While the garbage collector is marking
// (a section may not move Go pointers without write barriers then), Gets and
// Puts stay on level 1 through rseq's marking protocol: pinned to their P,
// with the pointer shaded by an ordinary barriered store in the same phase.
//
// An entry is four words: two Go pointers (P, Aux) and two plain words. An
// interface value travels as its type and data words, a slice as data, len
// and cap, so neither is boxed; shape.go says how PoolOf keeps each kind of
// T. A value whose data word is nil (a nil pointer, map or slice) is not
// kept: there is nothing to reuse.
//
// # Garbage collection
//
// sync.Pool empties itself at every collection (keeping a victim copy for
// one more), so a busy pool refills from New after every second GC. These
// pools are emptied only when they went two whole GC cycles without a Get
// or a Put: an idle pool lets go of its values at the third or fourth
// collection after its last use (the late-running hook cannot always place
// a use in its cycle), and the next collection frees them, while a busy
// one keeps them — also one used only between every two collections. Telling busy from idle costs the fast path nothing: once per cycle
// (gc.go, a sentinel object with runtime.AddCleanup) every pool's fast
// path is closed, and the next Get or Put reopens it on its slow path,
// marking the pool as used. Pools are registered weakly, so a pool nobody
// references is collected with its values. The Go 1.26 runtime can strand
// a cleanup when GOMAXPROCS shrinks during a sweep, so a watchdog timer
// (once a second while pools exist) arms a new sentinel when two cycles
// have gone by without the hook.
//
// A value taken out with Get is not referenced by the pool any more: a
// section clears the slot it pops, the depot clears the batches it hands
// out, and PoolOf clears a box before it recycles it.
//
// # Race detector
//
// The sections are invisible to the race detector, so under -race the pools
// annotate each Put as happening before the Get that returns its value, and
// drop a quarter of Puts at random, as sync.Pool does, so that code that
// relies on getting a value back is caught. As in sync.Pool, the hand-off
// synchronizes on a word hashed from the value's address, never on the
// address itself (which may be a mutex's: synchronizing there would hide a
// use of the value after its Put); rseq.EntryStacks annotates its own
// Push and Pop the same way.
//
// # Arenas
//
// An Arena is a bump allocator over 16 KiB chunks from a slab.Allocator
// (package slab): off-heap memory that the collector never scans, taken
// from and returned to the slab's per-CPU caches. It holds only
// pointer-free types (New and MakeSlice panic otherwise) and its memory is
// the caller's to manage: see Arena's "Memory management".
//
// # Statistics
//
// Stats counts misses, News, drops, depot traffic and values released by
// the GC policy on slow paths, where a counter costs nothing extra, and
// reports the values cached. Hits are counted only while the pool's
// CountHits is on: counting one costs about as much as serving it, so it is
// turned on per pool (as per Allocator in package slab), for the pool being
// looked at. Publish exposes a pool's Stats through expvar.
package alloc
