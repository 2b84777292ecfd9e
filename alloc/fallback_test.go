package alloc

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gorseq/percpu/internal/testmain"
	"github.com/gorseq/percpu/rseq"
)

// TestFallbackChild runs the pool tests again in a child process with
// PERCPU_RSEQ=off, where every cache level is a mutex shard or the depot,
// so that `go test ./alloc/` covers the fallback on its own. (CI also runs
// the whole package with the fallback forced and with rseq blocked.)
func TestFallbackChild(t *testing.T) {
	if !rseq.Enabled() {
		t.Skipf("this process is in the fallback already: %v", rseq.Status())
	}
	if testing.Short() {
		t.Skip("a second run of the package's tests")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip("no executable to re-run:", err)
	}
	cmd := exec.Command(exe, "-test.run", "^Test(Pool|Buffer|Ownership|Fallback)", "-test.short", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), rseq.EnvMode+"=off", testmain.EnvBlock+"=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestOwnershipStress") {
		t.Fatalf("the tests with %s=off failed (%v):\n%s", rseq.EnvMode, err, out)
	}
}

// TestFallbackMode checks that the mode is what the environment asked for,
// so a fallback run cannot silently test the fast path.
func TestFallbackMode(t *testing.T) {
	off := os.Getenv(rseq.EnvMode) == "off" || testmain.RseqBlocked() != ""
	if off && rseq.Enabled() {
		t.Fatalf("rseq is off or blocked, yet sections run: %v", rseq.Status())
	}
	t.Logf("status: %v", rseq.Status()) // the line tools/kernelmatrix reports
}
