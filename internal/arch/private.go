package arch

// The private sections (PushPrivate, PopPrivate) are the fallback's hit
// path where restartable sequences cannot run: a push or pop on the
// calling P's private part of a fallback shard, in one assembly call with
// no lock, no atomic instruction and no pin.
//
// They rest on what the Go runtime guarantees an assembly function that
// makes no call: it is never a safe point, so its goroutine is neither
// preempted (asynchronous preemption skips assembly) nor descheduled
// inside it, the world cannot stop until it returns, and its P stays its
// own throughout (a P is taken from a thread only in a system call). It
// is therefore one uninterrupted run on one P, as a stretch between
// runtime.procPin and procUnpin is, which is what the private parts'
// ownership rule asks for (package rseq, spill.go); sync.Pool's own hit
// path pays two calls for that pin. The function finds the P's id by the
// runtime's own path, from the g register: g.m, m.p, p.id. Those offsets
// are the runtime's internals, so they are checked at init, on the
// running thread, against runtime.getm and procPin (checkPrivate), and a
// build whose check fails, or that has no such path (other targets,
// purego), reports a miss every time: callers then pin and do the same in
// Go.
//
// As the restartable sections do, they store Go pointers without write
// barriers, which is safe only while the barrier is off; it cannot turn on
// inside them (a phase change stops the world). While it is on they miss,
// touching nothing, and the callers' pinned Go path, whose stores have
// barriers, serves instead.

// PrivateParts is the layout PushPrivate and PopPrivate read: package
// rseq's Private begins with its parts, one per P id, none nil (a P whose
// part is not made yet has a stand-in that is never its own), and each
// part begins with the fields a PrivatePart has. Package rseq asserts at
// compile time that its types keep this layout (private_layout.go there);
// the assembly reads it through go_asm.h.
type PrivateParts struct {
	Parts []*PrivatePart // indexed by P id
}

// PrivatePart is the head of one P's private part of a fallback shard: N
// live entries at the bottom of Slots (those above N are zero), and State,
// 0 while the part is its P's own.
type PrivatePart struct {
	N     int
	Slots []Entry
	State uint32
}
