package arch

import "unsafe"

// The interface sections (PopAny, PushAny) are a Pool's whole hit path in
// one call from user code. A Get that called the pop section itself was
// two calls deep (the user's call of Get, Get's call of the section) and
// could not be inlined; PopAny takes the pool itself, finds the section's
// descriptor through it, and is the only call Get makes, so Get inlines
// into its caller and the user's Get is the section's call.
//
// The descriptor is two dependent loads from the pool: the root's first
// word is its holder (a Pool's cache), and the holder's first word is the
// descriptor (the cache's fast path, nil while closed), its second the
// fallback's private parts (nil while closed). The owner of those types
// asserts at compile time that they keep AnyRoot's and AnyHolder's
// layout.
//
// With a descriptor, the section is PopPointers or PushPointers on it, the
// interface's type word as the entry's aux and its data word as its P;
// with none, the private section (private.go) on the holder's parts.
// Whatever does not commit, or the write barrier being on, continues in Go
// in popAnyMiss or pushAnyMiss: the assembly jumps there with its own
// frame in place, so the Go function's result is the caller's, and those
// call what SetAnyMisses registered (the Pool's old Get and Put bodies),
// which finish the call whatever it takes. Where no such assembly exists
// (other targets, purego) PopAny and PushAny are Go functions that go to
// the same misses directly.

// AnyRoot is what PopAny's and PushAny's root points at: a struct whose
// first word is its holder.
type AnyRoot struct {
	Holder *AnyHolder
}

// AnyHolder is the layout of a root's holder: the descriptor of its hit
// path's stack, or nil, and the fallback's private parts, or nil; for the
// typed sections, also how a value's words make an entry (Layout; the
// interface sections do not read it).
type AnyHolder struct {
	Desc    *StackDesc
	Private *PrivateParts
	Layout  uintptr
}

// The layouts of a typed pool's values (AnyHolder.Layout): which of an
// entry's words hold a value's. The assembly relies on their order.
const (
	LayoutPointer  = 0 // one pointer word: P
	LayoutSlice    = 1 // data, len, cap: P, N0, N1
	LayoutString   = 2 // data, len: P, N0
	LayoutWord     = 3 // one word without pointers: N0 (P is &InlineMarker)
	LayoutTwoWords = 4 // two words without pointers: N0, N1 (the same)
	LayoutEface    = 5 // an empty interface's type and data: Aux, P
)

// InlineMarker's address is the P of every entry that holds a value
// without pointers in its N0 and N1: a slot is live exactly when its P is
// not nil.
var InlineMarker byte

// anyMisses are the Go paths PopAny and PushAny continue in.
var anyMisses struct {
	pop  func(root *AnyRoot) any
	push func(root *AnyRoot, x any)
}

// SetAnyMisses registers the Go paths that finish a PopAny or PushAny that
// missed. It must be called once, before either runs (at init).
func SetAnyMisses(pop func(root *AnyRoot) any, push func(root *AnyRoot, x any)) {
	anyMisses.pop, anyMisses.push = pop, push
}

// popAnyMiss finishes a PopAny that missed; the assembly jumps to it with
// PopAny's frame, whose signature it has.
func popAnyMiss(root *AnyRoot) any { return anyMisses.pop(root) }

// pushAnyMiss finishes a PushAny that missed, as popAnyMiss does a PopAny.
func pushAnyMiss(root *AnyRoot, x any) { anyMisses.push(root, x) }

// The typed sections (PopOf, PushOf) are the interface sections for a
// typed pool (alloc.PoolOf[T]), Get's and Put's one call for every T. The
// pool comes as a TypedPool, whose data word is the root and whose methods
// are the miss paths, generic code the assembly reaches through it.
// PopOf stores the value at out, the caller's T; PushOf takes it as an
// interface, whose data word is the value itself for a pointer and points
// to a copy of it for a slice or string (the caller's conversion, on its
// stack: PushOf is noescape, and the caller must make what the value
// points to escape by other means). Only a pool whose values have one of
// the layouts has a holder; every other value, and every miss, is the
// methods'.

// TypedPool is a typed pool as PopOf and PushOf take it: its data word is
// a root (AnyRoot), and its methods finish a PopOf or PushOf that missed:
// GetInto stores a value at out, PutAny puts x's.
type TypedPool interface {
	GetInto(out unsafe.Pointer)
	PutAny(x any)
}

// popOfMiss finishes a PopOf that missed, as popAnyMiss does a PopAny.
func popOfMiss(pool TypedPool, out unsafe.Pointer) { pool.GetInto(out) }

// pushOfMiss finishes a PushOf that missed, as pushAnyMiss does a PushAny.
func pushOfMiss(pool TypedPool, x any) { pool.PutAny(x) }

// The assembly reads no offset of these two types that is not a word's.
var _ = [1]struct{}{}[unsafe.Offsetof(AnyRoot{}.Holder)]
