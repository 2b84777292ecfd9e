// Package rseq is the kernel contract of the per-CPU allocator: it
// registers threads for restartable sequences, decides the mode the process
// runs in, fences other CPUs, and offers the per-CPU structures every layer
// above is built from — Counter, WordStacks and EntryStacks — each with a
// fallback of its own.
//
// # Modes
//
// The mode is decided once, at init, and Status reports it with its reason:
//
//   - ModeOwn (binaries without cgo): each thread registers a struct rseq of
//     its own, lazily, the first time it runs a section. The area's address
//     lives in the thread's m.tls[1], which the section reads through the
//     thread pointer (FS on amd64, TPIDR_EL0 on arm64); a thread that
//     cannot register (the main thread of a PIE binary, which the dynamic
//     loader registered) is marked so and uses the fallback, alone. Areas
//     of threads that exited are reused.
//   - ModeGlibc (binaries with cgo, glibc 2.35+): glibc registered every
//     thread; the section finds glibc's area at the thread pointer plus
//     __rseq_offset. Init checks that the kernel has exactly that area
//     registered (re-registering it must fail with EBUSY).
//   - ModeFallback: no sections run; every structure uses its mutex shards.
//     PERCPU_RSEQ=off forces it; so does the purego build tag, a target
//     other than linux/amd64 and linux/arm64, seccomp refusing rseq(2),
//     glibc not having registered (GLIBC_TUNABLES=glibc.pthread.rseq=0), or
//     any failed check of the runtime layout or the section descriptors.
//
// Per-CPU data is indexed by mm_cid where the kernel provides it (Linux
// 6.3+; a compact id below the number of CPUs the process may use) and by
// cpu_id otherwise; PERCPU_RSEQ_INDEX=cpu forces cpu_id.
//
// # Taking another CPU's data
//
// Every section checks its index's stop word. To take over the data of
// other CPUs, a thread sets their stop words and fences: membarrier's
// MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ restarts every section running on
// the fenced CPUs, so when Fence returns none is mid-way and every later one
// sees the stop word. Where the kernel lacks that command, the fence walks
// the calling thread over every CPU instead (slower, same guarantee).
// Drain, Collect, SetLimit and EntryStacks' growth (which stops one index,
// copies its block to a larger one and publishes that) use this; the hot
// paths never do. An EntryStacks call that meets its own index stopped by
// a resize waits for the resize (which holds the family's mutex) and runs
// its section again on the new block, rather than taking the CPU for empty
// or full.
//
// # Fallback
//
// Each structure owns shards of the same shape, chosen by P id: a private
// part that only its P touches, pinned and without a lock, and a
// mutex-protected part for overflow and for other Ps; drains and pops that
// find nothing else revoke private parts under a stop-the-world fence
// (spill.go; docs/rseq.md has the argument). A call uses the shards when
// sections cannot run for it: the process is in fallback mode, its thread
// could not register, its CPU is stopped, or its section aborted too often.
// The shards never touch per-CPU memory, so the two paths never race. While the GC marks, EntryStacks stay on the per-CPU
// path through the marking protocol (marking.go; docs/rseq.md has the
// argument).
//
// # Costs
//
// A section costs a few nanoseconds including the Go-to-assembly call; see
// docs/rseq.md for the measured numbers and how to reproduce them.
package rseq
