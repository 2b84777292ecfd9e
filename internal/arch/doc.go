// Package arch holds the restartable sequences: small assembly leaves, each
// one critical section whose single final store commits, and the descriptors
// (struct rseq_cs) the kernel needs to restart them.
//
// # The protocol
//
// A thread registers a struct rseq area with the kernel (package rseq does
// that). To run a critical section the thread stores the address of the
// section's descriptor into area.rseq_cs — as the instruction immediately
// before the section's first instruction — and then runs the section. If the
// thread is preempted, migrated or interrupted by a signal while its
// instruction pointer is inside [start_ip, start_ip+post_commit_offset), the
// kernel moves it to abort_ip instead of resuming it, and the section starts
// over. The last instruction of every section is the single store that makes
// its effect visible (the commit); every earlier store goes to memory nobody
// else reads until that commit. A section therefore either happened entirely
// on one CPU, without interruption, or not at all.
//
// Each section here:
//
//  1. finds the calling thread's rseq area from the thread pointer (see
//     ThreadWord) — no table, no call;
//  2. stores its descriptor into area.rseq_cs, then enters the section;
//  3. reads the per-CPU index (cpu_id, or mm_cid where the kernel provides
//     it and package rseq chose it) inside the section;
//  4. checks the index's stop word (another thread may own the CPU's data
//     after "stop + membarrier fence"), does its work and commits;
//  5. on abort, retries at most maxRetries times and then reports Aborted.
//
// Every leaf returns a Status so Go code decides what to do next; the low
// byte is the outcome and the next byte counts the aborts the call took.
//
// # Descriptors and markers
//
// Go assembly cannot take the address of a label, so every section carries
// three executed marker instructions whose immediate is a tag naming the
// section and the role — NOPL disp32(AX) on amd64, MOVZ to XZR on arm64 —
// at start_ip, at the post-commit address and at abort_ip. Build scans each leaf's machine code
// from its entry, checks that every marker occurs exactly once and in order,
// that the rseq_cs store sits immediately before start_ip and that the
// kernel's signature sits immediately before abort_ip, and only then builds
// the descriptors. Any mismatch is returned as an error that package rseq
// reports as the reason for falling back.
//
// # Go pointers
//
// PushEntry and PopEntry move Go pointers in and out of GC-visible memory
// with plain stores. That is only what the compiler itself would emit while
// the write barrier is off, so both refuse (GCMarking) while
// runtime.writeBarrier is set; the flag cannot change during a leaf, which
// has no safe point. Their twins PushEntryMarking and PopEntryMarking are
// the same sections without that check, for package rseq's marking
// protocol, which pins the goroutine and shades the pointers itself.
//
// The entry stacks are "nil-terminated": a slot is live
// exactly when its P word is non-nil, so a pop's commit is the store that
// clears P and no stale reference is ever left behind; the stack's top word
// is only a hint, at most one off, corrected at the start of each section.
//
// # Leaves that are not only sections
//
// Two kinds of leaf here are not plain sections. The private sections
// (private.go) are the fallback's hit path: no restartable sequence at
// all, but a NOSPLIT leaf with no call, which the runtime never preempts,
// working on the calling P's part of a fallback shard found from the g
// register; they too refuse while the write barrier is on, and they say
// why they missed. The interface sections (any.go) are a Pool's whole Get
// or Put: they find the descriptor through the pool, run a pointer section
// on it, or with no descriptor the private section, and jump to a Go miss
// path with their frame in place when anything does not commit, so a
// caller's hit path is one call and the function that makes it inlines.
// The typed sections (PopOf, PushOf, any.go) are the same for a typed
// pool: the holder also says how a value's words make an entry, a value
// leaves through a pointer to the caller's variable and comes in as an
// interface, and the miss paths are the pool's methods, reached through
// the interface the pool is passed as.
//
// # Portable twin
//
// On every target but linux/amd64 and linux/arm64 (and with the purego build
// tag) the same functions exist and report Unavailable, so callers run their
// fallback. The block layout is stated in words (WordSize), so on 32-bit
// targets an Entry is 16 bytes and the control words still sit in its N0
// and N1.
package arch
