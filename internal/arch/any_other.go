//go:build !linux || !(amd64 || arm64) || purego

package arch

import "unsafe"

// PopAny is the miss path itself here: this build has no sections (any.go).
func PopAny(root *AnyRoot) any { return popAnyMiss(root) }

// PushAny is the miss path itself here, as PopAny is.
func PushAny(root *AnyRoot, x any) { pushAnyMiss(root, x) }

// HitSections says whether PopAny, PushAny, PopOf and PushOf are
// assembly sections: not here. These four are the miss paths themselves,
// two calls deeper than calling them would be (a call through a function
// value, then the pool's Go path), and PopOf and PushOf, unlike the
// sections' declarations, let the pool, out and x escape, which would make
// a caller's value and its conversion to x allocate: callers call the Go
// paths directly where HitSections is false.
const HitSections = false

// PopOf is the miss path itself here, as PopAny is.
func PopOf(pool TypedPool, out unsafe.Pointer) { popOfMiss(pool, out) }

// PushOf is the miss path itself here, as PushAny is.
func PushOf(pool TypedPool, x any) { pushOfMiss(pool, x) }
