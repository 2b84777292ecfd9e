package slab

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gorseq/percpu/rseq"
)

// fallbackSuite is what TestFallbackRunsTheSuite runs again with the
// fallback forced: everything but itself and the benchmarks.
const fallbackSuite = "Stress|Fuzz|Release|Resident|Idle|Drain|Free|Debug|Cache|Bytes|Alloc|Limit|Budget|Stats|Hits|Mode"

// TestFallbackRunsTheSuite runs the suite again in a child process with
// PERCPU_RSEQ=off, so that a plain go test covers both the per-CPU path
// and the mutex shards. (CI also runs the whole package in the fallback,
// under seccomp and with PERCPU_RSEQ=off.)
func TestFallbackRunsTheSuite(t *testing.T) {
	if !rseq.Enabled() {
		t.Skip("this process already runs the fallback")
	}
	if testing.Short() {
		t.Skip("the fallback suite doubles the run time")
	}
	args := []string{"-test.run=" + fallbackSuite, "-test.count=1"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), rseq.EnvMode+"=off")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("the suite failed with %s=off: %v\n%s", rseq.EnvMode, err, out)
	}
	if testing.Verbose() {
		t.Logf("with %s=off:\n%s", rseq.EnvMode, out)
	}
}

// TestModeMatchesEnvironment checks that a process told to use the
// fallback does, and that its limits can grow there too.
func TestModeMatchesEnvironment(t *testing.T) {
	a := newTest(t, Options{})
	if os.Getenv(rseq.EnvMode) == "off" && rseq.Enabled() {
		t.Errorf("%s=off but sections run", rseq.EnvMode)
	}
	if !a.growable {
		t.Errorf("limits fixed (sections run %v): setting one failed", rseq.Enabled())
	}
	if !strings.HasPrefix(a.Stats().Mode, rseq.Status().Mode.String()) {
		t.Errorf("Stats().Mode %q does not say the mode (%v)", a.Stats().Mode, rseq.Status().Mode)
	}
	t.Logf("status: %v", rseq.Status()) // the line tools/kernelmatrix reports
}
