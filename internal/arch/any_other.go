//go:build !linux || !(amd64 || arm64) || purego

package arch

// PopAny is the miss path itself here: this build has no sections (any.go).
func PopAny(root *AnyRoot) any { return popAnyMiss(root) }

// PushAny is the miss path itself here, as PopAny is.
func PushAny(root *AnyRoot, x any) { pushAnyMiss(root, x) }
