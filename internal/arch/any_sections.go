//go:build linux && (amd64 || arm64) && !purego

package arch

import "unsafe"

// PopAny pops an interface from the calling CPU's stack, or the calling P's
// private part, of the holder root points to (any.go), and returns it; the
// value Get's miss path returns when it misses. root must not be nil.
//
//go:noescape
func PopAny(root *AnyRoot) (x any)

// PushAny pushes x as PopAny pops, or hands it to Put's miss path. An x
// with a nil data word goes to the miss path. (Not noescape: x's data
// word is kept, so what it points to must be on the heap.)
func PushAny(root *AnyRoot, x any)

// HitSections says whether PopAny, PushAny, PopOf and PushOf are
// assembly sections: here, yes.
const HitSections = true

// PopOf pops a value of the holder's layout (any.go), from the holder
// that pool's data word points to, and stores its words at out, which
// must be the address of a variable on the caller's stack (the stores
// have no write barrier); a miss stores the miss path's value there
// instead.
//
//go:noescape
func PopOf(pool TypedPool, out unsafe.Pointer)

// PushOf pushes x's value as PopOf pops it, or hands x to the miss path.
// It is noescape, so that converting a slice or string to x costs no
// allocation; the caller must make what the value points to escape.
//
//go:noescape
func PushOf(pool TypedPool, x any)

// popOfWords is PopOf's section for a slice or a string, which PopOf
// jumps to; called only that way.
//
//go:noescape
func popOfWords(pool TypedPool, out unsafe.Pointer)

// pushOfWords is PushOf's section for a slice or a string, as popOfWords
// is PopOf's.
//
//go:noescape
func pushOfWords(pool TypedPool, x any)
