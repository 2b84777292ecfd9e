package rseq

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/arch"
)

// The marking protocol: how entry stacks keep their per-CPU path while the
// garbage collector marks.
//
// The entry sections store and clear Go pointers in GC-scanned memory
// without write barriers. While the collector is not marking that needs no
// barrier at all; while it is, a store of p into a slot the collector has
// already scanned hides p from it if the goroutine's stack has not been
// scanned yet (the barrier's insertion half), and clearing a slot not yet
// scanned hides p if the goroutine's stack has (the deletion half). So
// arch.PushEntry and arch.PopEntry report GCMarking, touching nothing, when
// the write barrier is on, and the slow path below runs the marking twins
// instead, with the goroutine pinned to its P:
//
//	push: pin; shade(p, aux); PushEntryMarking; unpin
//	pop:  pin; PopEntryMarking; shade(p, aux); unpin
//
// shade is an ordinary Go store of the pointer into a throw-away slot: the
// compiler's write barrier records it in the P's buffer, and the collector
// greys everything in those buffers before marking can end. Pinning
// (runtime.procPin, as sync.Pool uses it) keeps the goroutine on its P and
// not preemptible, and a GC phase change stops the world, which waits for
// every P; so the shade and the commit happen in one and the same phase. A
// pushed pointer is grey before the slot holds it; a popped pointer is grey
// before marking can end, and until then nothing is freed. docs/rseq.md
// gives the whole argument, case by case.

// shadeSlot is a throw-away destination of shading stores, one cache line
// per P.
type shadeSlot struct {
	p unsafe.Pointer
	_ [minBlock - unsafe.Sizeof(unsafe.Pointer(nil))]byte
}

// shadeSlots has a slot for each P up to its length; Ps beyond it share.
var shadeSlots [256]shadeSlot

// shade greys p and aux for the collector while it marks (and costs two
// stores while it does not); pid is the caller's P, to which it is pinned.
// It is the write barrier the stores carry that matters, not where they
// go. It leaves aux in the slot: a type word or nil in every use, never a
// value the caller would want collected.
func shade(pid int, p, aux unsafe.Pointer) {
	if noShade {
		return
	}
	if pid < len(shadeSlots) && !raceEnabled {
		// The slot is this P's alone, and the caller is pinned to it: no
		// other goroutine can store to it until the caller unpins. The
		// first store is made in a function of its own: written inline,
		// the compiler removes it as dead (the second overwrites it),
		// barrier and all, and p goes unshaded.
		s := &shadeSlots[pid]
		storeBarriered(&s.p, p)
		s.p = aux
		return
	}
	// Shared with other Ps (or under the race detector, which cannot see
	// the pin as a hand-off between the goroutines that use one P in
	// turn): atomic stores, which carry the barrier too.
	s := &shadeSlots[pid%len(shadeSlots)]
	atomic.StorePointer(&s.p, p)
	atomic.StorePointer(&s.p, aux)
}

// storeBarriered is *slot = p, with its write barrier, in a call that the
// compiler cannot drop as a dead store.
//
//go:noinline
func storeBarriered(slot *unsafe.Pointer, p unsafe.Pointer) { *slot = p }

// pushMarking pushes e onto this CPU's stack k with the marking protocol.
// It is correct in every GC phase.
func (s *EntryStacks) pushMarking(k int, e Entry) arch.Status {
	pid := procPin()
	shade(pid, e.P, e.Aux)
	st := arch.PushEntryMarking(&s.descs[k], e.P, e.Aux, e.N0, e.N1)
	procUnpin()
	markingOps.Add(1)
	return st
}

// popMarking pops from this CPU's stack k with the marking protocol. It is
// correct in every GC phase.
func (s *EntryStacks) popMarking(k int) (e Entry, st arch.Status) {
	pid := procPin()
	e.P, e.Aux, e.N0, e.N1, st = arch.PopEntryMarking(&s.descs[k])
	if e.P != nil {
		shade(pid, e.P, e.Aux) // before unpinning: marking cannot end first
	}
	procUnpin()
	markingOps.Add(1)
	return e, st
}
