//go:build linux && (amd64 || arm64)

package seccomp

import (
	"os"
	"os/exec"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// rawRseq calls rseq(2) with no area: the kernel answers EINVAL (or ENOSYS
// where it lacks rseq, as under qemu-user); the filter answers its errno.
func rawRseq() syscall.Errno {
	_, _, e := unix.Syscall6(unix.SYS_RSEQ, 0, 0, 0, 0, 0, 0)
	return e
}

// TestBlockRseq runs itself in a child that installs the filter, so the
// parent process stays unfiltered.
func TestBlockRseq(t *testing.T) {
	if name := os.Getenv("SECCOMP_TEST_CHILD"); name != "" {
		errno := map[string]syscall.Errno{"ENOSYS": unix.ENOSYS, "EPERM": unix.EPERM}[name]
		if err := BlockRseq(errno); err != nil {
			t.Fatal(err)
		}
		if got := rawRseq(); got != errno {
			t.Fatalf("rseq after BlockRseq(%v) = %v", errno, got)
		}
		return
	}
	before := rawRseq()
	if before == unix.ENOSYS {
		t.Skip("this kernel (or emulator) has no rseq: the filter's effect is not observable")
	}
	if before != unix.EINVAL {
		t.Fatalf("unfiltered rseq with no area = %v, want EINVAL", before)
	}
	for _, name := range []string{"ENOSYS", "EPERM"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBlockRseq$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SECCOMP_TEST_CHILD="+name)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child with %s: %v\n%s", name, err, out)
		}
	}
}
