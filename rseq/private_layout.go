package rseq

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
)

// Private and its shards keep the layout of arch.PrivateParts and
// arch.PrivatePart, which arch.PushPrivate and arch.PopPrivate read: each
// constant below fails to compile (a negative uintptr) unless the two
// offsets it compares are equal.
const (
	_ = unsafe.Offsetof(Private{}.byP) - unsafe.Offsetof(arch.PrivateParts{}.Parts)
	_ = unsafe.Offsetof(arch.PrivateParts{}.Parts) - unsafe.Offsetof(Private{}.byP)
	// A slot of byP is a pointer word: an atomic.Pointer has no other
	// field with a size.
	_ = unsafe.Sizeof(atomic.Pointer[spill[Entry]]{}) - unsafe.Sizeof((*arch.PrivatePart)(nil))
	_ = unsafe.Sizeof((*arch.PrivatePart)(nil)) - unsafe.Sizeof(atomic.Pointer[spill[Entry]]{})
	_ = unsafe.Offsetof(spill[Entry]{}.n) - unsafe.Offsetof(arch.PrivatePart{}.N)
	_ = unsafe.Offsetof(arch.PrivatePart{}.N) - unsafe.Offsetof(spill[Entry]{}.n)
	_ = unsafe.Offsetof(spill[Entry]{}.priv) - unsafe.Offsetof(arch.PrivatePart{}.Slots)
	_ = unsafe.Offsetof(arch.PrivatePart{}.Slots) - unsafe.Offsetof(spill[Entry]{}.priv)
	_ = unsafe.Offsetof(spill[Entry]{}.state) - unsafe.Offsetof(arch.PrivatePart{}.State)
	_ = unsafe.Offsetof(arch.PrivatePart{}.State) - unsafe.Offsetof(spill[Entry]{}.state)
)

// owned is the State PushPrivate and PopPrivate take as the P's own: 0 (an
// index into one element).
var _ = [1]struct{}{}[owned]

// Parts returns p as the arch layout it keeps, for arch.PushPrivate and
// arch.PopPrivate: the fallback's hit path with no pin, where the runtime
// layout they follow is confirmed (arch.PrivateAvailable); callers pin
// and call PushPinnedPointers and PopPinnedPointers when they miss.
func (p *Private) Parts() *arch.PrivateParts {
	return (*arch.PrivateParts)(unsafe.Pointer(p)) // the same layout: see above
}
