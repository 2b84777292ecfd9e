//go:build !linux || !(amd64 || arm64)

package seccomp_test

import (
	"runtime"
	"syscall"
	"testing"

	"github.com/gorseq/percpu/internal/seccomp"
)

func TestBlockRseqUnsupported(t *testing.T) {
	err := seccomp.BlockRseqAndExec(syscall.EPERM, "/bin/true", nil, nil)
	want := "seccomp: not supported on " + runtime.GOOS + "/" + runtime.GOARCH
	if err == nil || err.Error() != want {
		t.Fatalf("BlockRseqAndExec = %v, want %q", err, want)
	}
}
