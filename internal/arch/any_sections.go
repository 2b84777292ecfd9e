//go:build linux && (amd64 || arm64) && !purego

package arch

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
