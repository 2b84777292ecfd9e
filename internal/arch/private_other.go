//go:build !linux || !(amd64 || arm64) || purego

package arch

import (
	"errors"
	"runtime"
	"unsafe"
)

// PrivateSections says whether this build has PushPrivate and PopPrivate
// as assembly: not here, where they always return Unavailable.
const PrivateSections = false

// PushPrivate returns Unavailable: this build follows no runtime layout
// (see private_linux.go); callers pin to their P instead.
func PushPrivate(parts *PrivateParts, p unsafe.Pointer, aux unsafe.Pointer) Status {
	return Unavailable
}

// PopPrivate pops nothing, as PushPrivate pushes nothing.
func PopPrivate(parts *PrivateParts) (p unsafe.Pointer, aux unsafe.Pointer, st Status) {
	return nil, nil, Unavailable
}

var errNoPrivate = errors.New("no private sections for " + runtime.GOOS + "/" + runtime.GOARCH + " in this build")

// PrivateAvailable reports false and why.
func PrivateAvailable() (bool, error) { return false, errNoPrivate }

// checkPrivate reports that this build follows no runtime layout.
func checkPrivate() error { return errNoPrivate }
