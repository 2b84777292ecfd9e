package alloc

import (
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/race"
	"github.com/gorseq/percpu/rseq"
)

// The fallback's hit path without a pin: one assembly call on the calling
// P's private part (arch.PushPrivate), where this build and runtime allow
// it. When it misses (the collector marking, the part empty, full or not
// the P's own, or no such path here), the callers pin and try the part
// again in Go (rseq.Private's PushPinnedPointers and PopPinnedPointers),
// which serves while the collector marks, then take the slow path. Under
// the race detector no private part exists and both miss at once.

// pushPrivate pushes (p, aux) onto the calling P's private part of s, or
// returns false.
func pushPrivate(s *rseq.Private, p, aux unsafe.Pointer) bool {
	return !race.Enabled && arch.PushPrivate(s.Parts(), p, aux)
}

// popPrivate pops the newest entry of the calling P's private part of s,
// or returns nil pointers.
func popPrivate(s *rseq.Private) (p, aux unsafe.Pointer) {
	if race.Enabled {
		return nil, nil
	}
	return arch.PopPrivate(s.Parts())
}
