package alloc

import (
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/procpin"
	"github.com/gorseq/percpu/internal/race"
	"github.com/gorseq/percpu/rseq"
)

// The fallback's hit path without a pin: one assembly call on the calling
// P's private part (arch.PushPrivate), where this build and runtime allow
// it. When it misses, it says why, and only two reasons leave the pinned
// Go path (rseq.Private's PushPinnedPointers and PopPinnedPointers)
// anything to do: the collector marking (the Go path's stores have write
// barriers) and no such assembly here (other targets, purego, a layout
// the runtime check refused). A part that is full, empty, not the P's own
// or not made yet is the same to the Go path, so those misses go straight
// to the slow path (pushPinned and popPinned, called on a miss only, keep
// the hit path one call). Under the race detector no private part exists
// and every call misses.
//
// Where this build has no such assembly at all (arch.PrivateSections is
// false: targets other than linux/amd64 and linux/arm64, and purego),
// every miss would be Unavailable and go on pinned: the hit paths then pin
// in their own bodies instead, a call level less than pushPinned and
// popPinned (10–13% of a Pool's Get and Put with the purego build,
// BenchmarkPool).

// pushPrivate pushes (p, aux) onto the calling P's private part of s, or
// says why not.
func pushPrivate(s *rseq.Private, p, aux unsafe.Pointer) arch.Status {
	if race.Enabled {
		return arch.Unavailable
	}
	return arch.PushPrivate(s.Parts(), p, aux)
}

// popPrivate pops the newest entry of the calling P's private part of s,
// or returns nil pointers and why not.
func popPrivate(s *rseq.Private) (p, aux unsafe.Pointer, st arch.Status) {
	if race.Enabled {
		return nil, nil, arch.Unavailable
	}
	return arch.PopPrivate(s.Parts())
}

// pushPinned finishes a push that pushPrivate missed with status st: it
// tries the part again pinned, in Go, when st leaves that anything to do,
// and reports whether the push is done.
func pushPinned(s *rseq.Private, st arch.Status, p, aux unsafe.Pointer) bool {
	if st != arch.GCMarking && st != arch.Unavailable {
		return false
	}
	ok := s.PushPinnedPointers(procpin.Pin(), p, aux)
	procpin.Unpin()
	return ok
}

// popPinned finishes a pop that popPrivate missed with status st, as
// pushPinned does a push: nil pointers when it pops nothing.
func popPinned(s *rseq.Private, st arch.Status) (p, aux unsafe.Pointer) {
	if st != arch.GCMarking && st != arch.Unavailable {
		return nil, nil
	}
	p, aux = s.PopPinnedPointers(procpin.Pin())
	procpin.Unpin()
	return p, aux
}
