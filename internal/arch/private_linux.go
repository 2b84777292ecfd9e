//go:build linux && (amd64 || arm64) && !purego

package arch

import (
	"fmt"
	"unsafe"

	"github.com/gorseq/percpu/internal/procpin"
)

// Offsets in the Go runtime's g and m (the same in Go 1.26 and 1.27 on
// linux/amd64 and linux/arm64), which PushPrivate and PopPrivate follow
// from the g register to the P id: g.m, then m.p, then p.id (a p's first
// field). checkPrivate confirms them on the running thread before any use.
const (
	gMOffset    = 48
	mCurgOffset = 184 // m.curg: the g running on m, the caller itself
	mPOffset    = 208
)

// PrivateSections says whether this build has PushPrivate and PopPrivate
// as assembly (which may still be refused at run time: privateReady).
const PrivateSections = true

// privateReady is set at init when checkPrivate passed: PushPrivate and
// PopPrivate report a miss, touching nothing, until it is.
var privateReady bool

// privateErr is why privateReady is not set.
var privateErr = checkPrivate()

func init() { privateReady = privateErr == nil }

// PushPrivate pushes an entry with P = p (which must not be nil) and Aux =
// aux onto the calling P's part of parts, and returns Committed when it
// did. It runs as one assembly function with no call: the goroutine cannot
// be preempted or moved inside it, so the calling P's part is its own
// throughout, as in a procpin.Pin stretch (package rseq's spill), without
// pinning. Else it does nothing and says why: GCMarking while the write
// barrier is on, Full, Stopped when the P has no part or the part is not
// its own (State non-zero), and Unavailable when privateReady is not set.
// Only the first and the last leave a pinned Go push anything to do.
//
//go:noescape
func PushPrivate(parts *PrivateParts, p unsafe.Pointer, aux unsafe.Pointer) Status

// PopPrivate pops the newest entry of the calling P's part of parts, as
// PushPrivate pushes, clearing its slot. When it pops nothing it returns
// nil pointers and why, as PushPrivate does, with Empty for Full.
//
//go:noescape
func PopPrivate(parts *PrivateParts) (p unsafe.Pointer, aux unsafe.Pointer, st Status)

// privateProbe follows PushPrivate's path on the calling thread: the g
// register (R14 on amd64, R28 on arm64, where Go keeps the running g), g.m,
// m.curg and, when m.curg is that g, m.p and its p.id (else 0 and -1).
func privateProbe() (gp, m, curg, p uintptr, id int32)

// checkPrivate confirms the runtime layout PushPrivate and PopPrivate
// rely on, pinned to a P: g.m is runtime.getm(), m.curg is the g register,
// and m.p's id is the P procpin.Pin returned.
func checkPrivate() error {
	pid := procpin.Pin()
	gp, m, curg, p, id := privateProbe()
	gm := getm()
	procpin.Unpin()
	switch {
	case m != gm:
		return fmt.Errorf("Go runtime layout check failed: g.m = %#x, runtime.getm() = %#x", m, gm)
	case curg != gp:
		return fmt.Errorf("Go runtime layout check failed: m.curg = %#x, not the g register %#x", curg, gp)
	case p == 0 || int(id) != pid:
		return fmt.Errorf("Go runtime layout check failed: m.p = %#x has id %d, procPin returned %d", p, id, pid)
	}
	return nil
}

// PrivateAvailable reports whether PushPrivate and PopPrivate work in
// this process, and if not, why.
func PrivateAvailable() (bool, error) { return privateReady, privateErr }
