package stackshift

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// Period is the span of stack offsets the depths cover: the aliasing
// compares the low 12 bits of addresses.
const Period = 4096

// turns counts the calls of Next; each turn picks the next depth.
var turns atomic.Uint64

// Frame returns the bytes of stack one level of On takes, measured at
// first use.
var Frame = sync.OnceValue(func() uintptr {
	// The runtime may move the stack between two calls (to grow it, or to
	// shrink it during a collection), which makes one difference
	// meaningless: grow it first, and measure until two agree.
	On(Period/8, func() {})
	last := uintptr(0)
	for {
		d := depthStep(1)
		if d == last {
			return max(d, 1)
		}
		last = d
	}
})

// depthStep returns how much lower On(levels) calls its function than
// On(0) does, or garbage if the stack moved in between.
func depthStep(levels int) uintptr {
	var top, below uintptr
	On(0, func() { top = Address() })
	On(levels, func() { below = Address() })
	return top - below
}

// Levels returns how many levels of On cover Period.
func Levels() int { return int((Period + Frame() - 1) / Frame()) }

// Next returns a depth, in levels, in [0, Levels()): successive calls step
// through the range by the golden ratio, so that any few in a row land far
// apart and many cover it evenly.
func Next() int {
	const golden = 0x9E3779B97F4A7C15 // 2^64 / φ, odd
	frac := turns.Add(1) * golden     // the fractional part of turn/φ, as 64 bits
	return int((frac >> 32) * uint64(Levels()) >> 32)
}

// On calls f levels frames below its caller.
//
//go:noinline
func On(levels int, f func()) {
	if levels > 0 {
		On(levels-1, f)
		return
	}
	f()
}

// Spread runs f(n) as chunks calls that share n between them (the first
// n%chunks get one more), each at the next depth Next hands out.
func Spread(n, chunks int, f func(n int)) {
	for c := range chunks {
		m := n / chunks
		if c < n%chunks {
			m++
		}
		if m > 0 {
			On(Next(), func() { f(m) })
		}
	}
}

// Address returns the address of a variable in its own frame: how far its
// caller's stack reaches.
//
//go:noinline
func Address() uintptr {
	var b byte
	return uintptr(unsafe.Pointer(&b))
}
