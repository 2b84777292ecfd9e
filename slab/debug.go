package slab

import (
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// DebugMode selects how much an Allocator checks its users.
type DebugMode uint8

const (
	// DebugOff checks only what costs nothing: Free of a pointer the
	// Allocator did not hand out, or of an interior pointer, panics; a
	// double free is noticed late, if at all (when the object returns to
	// its span while already free).
	DebugOff DebugMode = iota
	// DebugChecks also keeps a bit per object: a second Free of the same
	// object panics at that Free, as long as the object has not been
	// handed out again in between (freed large objects are kept out of use
	// for a while to make sure of it). Freed memory is filled with poison,
	// and Alloc checks that the poison is intact, so a write after free
	// panics at the next Alloc of that object.
	DebugChecks
	// DebugProtect also bypasses the per-CPU caches and depots, so a span
	// whose objects are all free is free at once: it is made inaccessible
	// (PROT_NONE) and kept out of use for a while (up to 64 MiB of such
	// spans), and a use after free of any of its objects faults at the
	// access. Large objects are protected at their Free.
	DebugProtect
)

// EnvDebug turns on debug mode in every Allocator of the process, in any
// build: "1" or "checks" for DebugChecks, "protect" for DebugProtect, ""
// or "0" for nothing.
const EnvDebug = "PERCPU_SLAB_DEBUG"

func debugModeFromEnv() (DebugMode, error) {
	switch v := os.Getenv(EnvDebug); v {
	case "", "0":
		return DebugOff, nil
	case "1", "checks":
		return DebugChecks, nil
	case "protect":
		return DebugProtect, nil
	default:
		return 0, fmt.Errorf("slab: %s=%q: want 1, checks or protect", EnvDebug, v)
	}
}

const (
	poisonByte    = 0xa5
	poisonWord    = 0xa5a5a5a5a5a5a5a5
	quarantineMax = 64 << 20 // bytes of protected spans kept out of use
)

// debugState is an Allocator's debug mode.
type debugState struct {
	protect bool
	mu      sync.Mutex
	queue   []quarantined // guarded by mu; oldest first
	bytes   uintptr       // guarded by mu; the spans' bytes in queue
}

// forget drops the quarantine (Close: the spans are recycled with their
// arenas).
func (d *debugState) forget() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queue, d.bytes = nil, 0
}

// quarantinedPages returns how many pages the quarantine holds.
func (d *debugState) quarantinedPages() uintptr {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.bytes >> pageShift
}

type quarantined struct {
	s         *span
	protected bool // made inaccessible (false where the system could not)
}

// poisonSpan fills a new span with poison: its objects are free.
func (d *debugState) poisonSpan(s *span) {
	fill(s.pointer(), s.bytes())
}

// checkAlloc marks the object at p as handed out, and checks that nothing
// wrote to it while it was free.
func (d *debugState) checkAlloc(p uintptr) {
	s := spanOf(p)
	i, _ := s.index(p)
	bit := uint64(1) << (i % 64)
	if s.userBits[i/64].Or(bit)&bit != 0 {
		panic(fmt.Sprintf("slab: internal error: object %#x handed out while in use", p))
	}
	obj := unsafe.Slice((*uint64)(pointerAt(p)), s.elemSize/8)
	for j, w := range obj {
		if w != poisonWord {
			b := unsafe.Slice((*byte)(unsafe.Pointer(&obj[j])), 8)
			off := j * 8
			for b[0] == poisonByte {
				b, off = b[1:], off+1
			}
			panic(fmt.Sprintf("slab: object %#x (%d bytes) was written after it was freed: byte %d is %#02x, want the poison %#02x",
				p, s.elemSize, off, b[0], poisonByte))
		}
	}
}

// checkFree marks object i of s, at addr, free, panicking if it already
// was, and poisons it.
func (d *debugState) checkFree(s *span, i, addr uintptr) {
	bit := uint64(1) << (i % 64)
	if s.userBits[i/64].And(^bit)&bit == 0 {
		panic(fmt.Sprintf("slab: double free of object %#x (%d bytes): it is not allocated", addr, s.elemSize))
	}
	fill(pointerAt(addr), s.elemSize)
}

// fill writes poison over n bytes (a multiple of 8) at p.
func fill(p unsafe.Pointer, n uintptr) {
	w := unsafe.Slice((*uint64)(p), n/8)
	for i := range w {
		w[i] = poisonWord
	}
}

// quarantineSpan takes a span whose objects are all free (protect mode),
// or a freed large object's (any debug mode), out of use for a while: its
// memory goes back to the system at once, but it stays in the page map so
// that a Free into it reports a double free, and in protect mode it is
// inaccessible. The oldest spans beyond quarantineMax go back to the page
// heap.
func (d *debugState) quarantineSpan(a *Allocator, s *span) {
	a.releaseSpan(s)
	q := quarantined{s: s}
	if d.protect {
		q.protected = protectPages(s.pointer(), s.bytes(), false)
	}
	d.mu.Lock()
	d.queue = append(d.queue, q)
	d.bytes += s.bytes()
	var out []quarantined
	for d.bytes > quarantineMax && len(d.queue) > 1 {
		out = append(out, d.queue[0])
		d.bytes -= d.queue[0].s.bytes()
		d.queue = d.queue[1:]
	}
	d.mu.Unlock()
	for _, q := range out {
		if q.protected {
			protectPages(q.s.pointer(), q.s.bytes(), true)
		}
		a.returnPages(q.s)
	}
}
