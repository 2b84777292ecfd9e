//go:build linux && (amd64 || arm64) && !purego

package arch

import "unsafe"

// Available reports whether this build has real sections.
const Available = true

// CounterAdd adds delta to the current index's counter at d.TopOff.
//
//go:noescape
func CounterAdd(d *StackDesc, delta int64) Status

// PushWord pushes v onto the current index's word stack.
//
//go:noescape
func PushWord(d *StackDesc, v uintptr) Status

// PopWord pops the top of the current index's word stack.
//
//go:noescape
func PopWord(d *StackDesc) (v uintptr, st Status)

// PushWords pushes as many of src[0:n] as fit (at least one, else Full) in
// one section and reports how many it pushed. n must be at least 1: the
// section copies before it compares (COPY_WORDS), so n = 0 would read
// src[0].
//
//go:noescape
func PushWords(d *StackDesc, src *uintptr, n uintptr) (pushed uintptr, st Status)

// PopWords pops up to n words into dst[0:popped] in one section; dst[0] is
// the deepest of them, so PushWords(dst, popped) restores the same order.
//
//go:noescape
func PopWords(d *StackDesc, dst *uintptr, n uintptr) (popped uintptr, st Status)

// PushEntry pushes an entry with P = p (which must not be nil) onto the
// current index's entry stack. It reports GCMarking, touching nothing, while
// the write barrier is on.
//
//go:noescape
func PushEntry(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr) Status

// PopEntry pops the current index's top entry and clears its slot. It
// reports GCMarking, touching nothing, while the write barrier is on.
//
//go:noescape
func PopEntry(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr, st Status)

// PushPointers is PushEntry for a member whose entries all have N0 and N1
// zero: it stores p and aux and leaves the slot's N0 and N1, which are zero
// in such a member, as they are. Every push onto the member, by any path,
// must then have N0 and N1 zero. Passing and copying two words fewer makes
// a Pool's Get+Put pair 5–12% faster (docs/rseq.md, "Pointer sections").
//
//go:noescape
func PushPointers(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer) Status

// PopPointers is PopEntry for a member whose entries all have N0 and N1
// zero (see PushPointers): it returns the top entry's P and aux.
//
//go:noescape
func PopPointers(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, st Status)

// PushEntryMarking is PushEntry without the write-barrier check: it pushes
// whether or not the garbage collector is marking. The caller must make the
// store safe for the collector: with the goroutine pinned to its P (so that
// no phase change can happen until it unpins), it shades p and aux with
// ordinary write-barriered stores before the call. Package rseq does this;
// nothing else may call it.
//
//go:noescape
func PushEntryMarking(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr) Status

// PopEntryMarking is PopEntry without the write-barrier check. The caller
// must, with the goroutine pinned to its P from before the call, shade the
// popped p and aux with ordinary write-barriered stores before it unpins.
// Package rseq does this; nothing else may call it.
//
//go:noescape
func PopEntryMarking(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr, st Status)

// ThreadWord returns the word the sections start from: in own mode the
// calling thread's registered area, kept in its m.tls[1] (0: none yet, 1:
// cannot register); with glibc, the thread pointer.
func ThreadWord() uintptr

// SetThreadWord sets the calling thread's m.tls[1]. Only package rseq calls
// it, only in own mode after CheckOwnLayout, and only while the goroutine is
// locked to its thread.
func SetThreadWord(v uintptr)

// CurrentIndex returns the calling thread's current index (cpu_id or mm_cid)
// as the kernel last wrote it, without a section: a hint that may be stale by
// the time the caller uses it.
func CurrentIndex() (idx uint32, st Status)

// CurrentCPUID returns the cpu_id field of the calling thread's rseq area,
// whatever field indexes the sections: the CPU the thread last ran on, as
// the kernel wrote it on its last return to user space. A hint, as
// CurrentIndex is; on arm64, which has no instruction that reads the CPU
// number, it saves a getcpu system call.
func CurrentCPUID() (cpu uint32, st Status)

//go:noescape
func sectionEntries(out *[numSections]*byte)

func delayInjected() bool

// DelayInjected reports whether the sections were assembled with delay loops
// in every gap (-asmflags=github.com/gorseq/percpu/internal/arch=-D=RSEQ_DELAY).
func DelayInjected() bool { return delayInjected() }
