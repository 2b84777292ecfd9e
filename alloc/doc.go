// Package alloc is what applications import: Pool, a drop-in replacement
// for sync.Pool; PoolOf[T], its typed form that does not box; and Buffers,
// byte slices by size class.
//
// # Layers
//
// A Get walks down, and stops at the first level that has a value:
//
//  1. the calling CPU's cache: a bounded stack of entries (rseq.EntryStacks)
//     popped in one restartable section, with no atomic instruction and no
//     lock;
//  2. the depot: a mutex-protected stack of batches of batchSize entries; a
//     miss moves one batch to the CPU's cache;
//  3. New.
//
// A Put pushes onto the calling CPU's cache; when that is full, it moves a
// batch to the depot; when the depot is full too, the values are dropped.
//
// Where restartable sequences are unavailable, or while the garbage
// collector is marking (a section may not move Go pointers without write
// barriers then), level 1 is a mutex shard per P instead; package rseq
// switches by itself and the API does not change.
//
// # Garbage collection
//
// sync.Pool empties itself at every collection (keeping a victim copy for
// one more), so a busy pool refills from New after every second GC. These
// pools are emptied only when they went a whole GC cycle without a Get or a
// Put: an idle pool drops its values at the second collection after its
// last use, and a busy one keeps them. Values taken out with Get are not
// referenced by the pool any more (the per-CPU slot is cleared by the same
// section that pops it).
//
// # Race detector
//
// The sections are invisible to the race detector, so under -race the pools
// annotate each Put as happening before the Get that returns the value, and
// drop a quarter of Puts at random, as sync.Pool does, so code that relies
// on getting a value back is caught.
package alloc
