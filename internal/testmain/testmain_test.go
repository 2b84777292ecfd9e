package testmain

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Run(m) }

// TestBlockedChild runs this test binary with rseq blocked and checks, from
// inside, that the filter is really there.
func TestBlockedChild(t *testing.T) {
	if want := RseqBlocked(); want != "" {
		if got := rawRseqErrno(); got != want {
			t.Fatalf("rseq(2) fails with %q, want %q", got, want)
		}
		return
	}
	if os.Getenv(EnvBlock) != "" {
		t.Fatal("asked to block rseq, but the re-executed binary is not marked")
	}
	if !blockingWorks() {
		t.Skip("seccomp or rseq unavailable here")
	}
	for _, name := range []string{"ENOSYS", "EPERM"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBlockedChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), EnvBlock+"="+name)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestBlockedChild") {
			t.Fatalf("child with %s: %v\n%s", name, err, out)
		}
	}
}

func TestBadValueRefused(t *testing.T) {
	if os.Getenv(EnvBlock) != "" {
		t.Skip("running blocked")
	}
	t.Setenv(EnvBlock, "EAGAIN")
	err := blockIfAsked() // a bad value is refused before anything is installed
	if err == nil || !strings.Contains(err.Error(), `PERCPU_TEST_BLOCK_RSEQ="EAGAIN": want ENOSYS or EPERM`) {
		t.Fatalf("bad value: err = %v", err)
	}
}
