//go:build !linux || !(amd64 || arm64)

package seccomp

import (
	"errors"
	"runtime"
	"syscall"
)

// BlockRseqAndExec reports that this platform has no seccomp filter to
// install.
func BlockRseqAndExec(errno syscall.Errno, argv0 string, argv, env []string) error {
	return errors.New("seccomp: not supported on " + runtime.GOOS + "/" + runtime.GOARCH)
}
