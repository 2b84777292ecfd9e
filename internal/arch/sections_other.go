//go:build !linux || !(amd64 || arm64) || purego

package arch

import (
	"errors"
	"runtime"
	"unsafe"
)

// Available reports whether this build has real sections.
const Available = false

// Signature is the value registered with the kernel; unused on this target.
const Signature = 0

var errPortable = errors.New("no restartable sequences for " + runtime.GOOS + "/" + runtime.GOARCH + " in this build")

// Build reports that this target has no sections.
func Build() error { return errPortable }

// Configure does nothing on this target.
func Configure(source AreaSource, offset uintptr, index IndexField) {}

// CheckOwnLayout reports that this target has no sections.
func CheckOwnLayout() error { return errPortable }

// CheckThreadPointer reports that this target has no sections.
func CheckThreadPointer() error { return errPortable }

// SetDelay does nothing on this target.
func SetDelay(spins int64) {}

// DelayInjected reports false: there are no sections to delay.
func DelayInjected() bool { return false }

// CounterAdd reports Unavailable.
func CounterAdd(d *StackDesc, delta int64) Status { return Unavailable }

// PushWord reports Unavailable.
func PushWord(d *StackDesc, v uintptr) Status { return Unavailable }

// PopWord reports Unavailable.
func PopWord(d *StackDesc) (uintptr, Status) { return 0, Unavailable }

// PushWords reports Unavailable.
func PushWords(d *StackDesc, src *uintptr, n uintptr) (uintptr, Status) { return 0, Unavailable }

// PopWords reports Unavailable.
func PopWords(d *StackDesc, dst *uintptr, n uintptr) (uintptr, Status) { return 0, Unavailable }

// PushEntry reports Unavailable.
func PushEntry(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr) Status {
	return Unavailable
}

// PopEntry reports Unavailable.
func PopEntry(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr, st Status) {
	return nil, nil, 0, 0, Unavailable
}

// PushPointers reports Unavailable.
func PushPointers(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer) Status { return Unavailable }

// PopPointers reports Unavailable.
func PopPointers(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, st Status) {
	return nil, nil, Unavailable
}

// PushEntryMarking reports Unavailable.
func PushEntryMarking(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr) Status {
	return Unavailable
}

// PopEntryMarking reports Unavailable.
func PopEntryMarking(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr, st Status) {
	return nil, nil, 0, 0, Unavailable
}

// ThreadWord returns 0: no thread has an area.
func ThreadWord() uintptr { return 0 }

// SetThreadWord does nothing on this target.
func SetThreadWord(v uintptr) {}

// CurrentCPUID reports Unavailable.
func CurrentCPUID() (uint32, Status) { return 0, Unavailable }

// CurrentIndex reports Unavailable.
func CurrentIndex() (uint32, Status) { return 0, Unavailable }

// CPU reports that the processor's CPU number cannot be read here.
func CPU() (int, bool) { return 0, false }

// CPUIDInstruction reports that no CPU-number instruction is used.
func CPUIDInstruction() string { return "none" }
