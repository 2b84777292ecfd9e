//go:build !linux || !(amd64 || arm64)

package seccomp

import (
	"errors"
	"runtime"
	"syscall"
)

// BlockRseq reports that this platform has no seccomp filter to install.
func BlockRseq(errno syscall.Errno) error {
	return errors.New("seccomp: not supported on " + runtime.GOOS + "/" + runtime.GOARCH)
}
