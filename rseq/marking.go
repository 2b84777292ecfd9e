package rseq

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/procpin"
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
// shade is an ordinary barriered store of the pointer into a per-P global
// slot (skipped when the slot already holds it; see shade): the write
// barrier records it in the P's buffer, and the collector greys everything
// in those buffers before marking can end. Pinning
// (runtime.procPin, as sync.Pool uses it) keeps the goroutine on its P and
// not preemptible, and a GC phase change stops the world, which waits for
// every P; so the shade and the commit happen in one and the same phase. A
// pushed pointer is sure to be marked in this cycle before the slot holds
// it; a popped one is made sure of before marking can end, and until then
// nothing is freed. docs/rseq.md gives the whole argument, case by case.

// shadeSlot is where a P's shading stores go: a global root holding the
// last p and aux the P shaded, on a cache line of its own.
type shadeSlot struct {
	p, aux unsafe.Pointer
	_      [minBlock - 2*unsafe.Sizeof(unsafe.Pointer(nil))]byte
}

// shadeSlots has a slot for each P up to its length; Ps beyond it share.
var shadeSlots [256]shadeSlot

// shade makes sure p and aux are marked in the current cycle if the
// collector is marking; pid is the caller's P, to which it is pinned.
//
// It stores each into the P's slot unless the slot already holds it, and
// leaves it there. The store's write barrier shades the new value (and the
// old one). Skipping the store when the slot already holds p is as good:
// the slots are a global, scanned as a root in every cycle, so a pointer the
// slot holds has either been stored during this mark phase (and shaded by
// that store), or been there since before the phase began, in which case
// the root scan finds it, or the store that later replaces it shades it as
// the old value. So a pool that cycles the same values through one CPU
// shades nothing twice. The price is that a slot keeps its last two values
// alive until it is overwritten or ReleaseShaded clears it.
//
// The accesses are atomic because Ps beyond the table share slots and
// ReleaseShaded clears them from any goroutine; the load is a plain load,
// and the store, an exchange, happens only when the value changes.
func shade(pid int, p, aux unsafe.Pointer) {
	if noShade {
		return
	}
	s := &shadeSlots[pid%len(shadeSlots)]
	if atomic.LoadPointer(&s.p) != p {
		atomic.StorePointer(&s.p, p)
	}
	if atomic.LoadPointer(&s.aux) != aux {
		atomic.StorePointer(&s.aux, aux)
	}
}

// ReleaseShaded drops the references the marking protocol keeps to the last
// values it shaded (at most two per P; see EntryStacks), so that a value
// taken out of an entry stack while the collector marked is not kept alive
// by them once its user drops it. Package alloc calls it once per GC cycle.
func ReleaseShaded() {
	for i := range shadeSlots {
		s := &shadeSlots[i]
		if atomic.LoadPointer(&s.p) != nil {
			atomic.StorePointer(&s.p, nil)
		}
		if atomic.LoadPointer(&s.aux) != nil {
			atomic.StorePointer(&s.aux, nil)
		}
	}
}

// pushMarking pushes e onto this CPU's stack k with the marking protocol.
// It is correct in every GC phase.
func (s *EntryStacks) pushMarking(k int, e Entry) arch.Status {
	pid := procpin.Pin()
	shade(pid, e.P, e.Aux)
	st := arch.PushEntryMarking(s.descs[k], e.P, e.Aux, e.N0, e.N1)
	procpin.Unpin()
	markingOps.Add(1)
	return st
}

// popMarking pops from this CPU's stack k with the marking protocol. It is
// correct in every GC phase.
func (s *EntryStacks) popMarking(k int) (e Entry, st arch.Status) {
	pid := procpin.Pin()
	e.P, e.Aux, e.N0, e.N1, st = arch.PopEntryMarking(s.descs[k])
	if e.P != nil {
		shade(pid, e.P, e.Aux) // before unpinning: marking cannot end first
	}
	procpin.Unpin()
	markingOps.Add(1)
	return e, st
}
