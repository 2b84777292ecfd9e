//go:build !linux || !(amd64 || arm64) || purego

package arch

import "unsafe"

// PopAny is the miss path itself here: this build has no sections (any.go).
func PopAny(root *AnyRoot) any { return popAnyMiss(root) }

// PushAny is the miss path itself here, as PopAny is.
func PushAny(root *AnyRoot, x any) { pushAnyMiss(root, x) }

// TypedSections says whether PopOf and PushOf are sections: not here.
// These two are the miss paths themselves, and unlike the sections'
// declarations they let the pool, out and x escape, which would make a
// caller's value and its conversion to x allocate: callers call them only
// where TypedSections is true.
const TypedSections = false

// PopOf is the miss path itself here, as PopAny is.
func PopOf(pool TypedPool, out unsafe.Pointer) { popOfMiss(pool, out) }

// PushOf is the miss path itself here, as PushAny is.
func PushOf(pool TypedPool, x any) { pushOfMiss(pool, x) }
