package rseq

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/testmain"
)

// TestModeMatchesEnvironment checks that detection picked the mode this
// environment calls for, so a regression to the fallback cannot hide. The
// mode is demanded only where PERCPU_TEST_EXPECT_MODE names it or the
// process can see what the environment is: rseq forced off, blocked by the
// test harness, or refused by the kernel or a sandbox (then the fallback is
// right, and the test only checks that the reason is stated).
func TestModeMatchesEnvironment(t *testing.T) {
	info := Status()
	t.Logf("status: %v", info)
	blocked := testmain.RseqBlocked()
	refused := kernelRefusal()
	glibcOff := strings.Contains(os.Getenv("GLIBC_TUNABLES"), "glibc.pthread.rseq=0")
	want := ModeOwn
	switch expect := os.Getenv("PERCPU_TEST_EXPECT_MODE"); {
	case expect != "":
		// The environment cannot be inferred (qemu-user answers rseq(2)
		// with ENOSYS); the caller says what it must be.
		m, ok := map[string]Mode{"fallback": ModeFallback, "own": ModeOwn, "glibc": ModeGlibc}[expect]
		if !ok {
			t.Fatalf("PERCPU_TEST_EXPECT_MODE=%q: want fallback, own or glibc", expect)
		}
		want = m
	case os.Getenv(EnvMode) == "off":
		want = ModeFallback
		if info.Reason != EnvMode+"=off" {
			t.Errorf("reason %q does not name %s=off", info.Reason, EnvMode)
		}
	case !arch.Available:
		want = ModeFallback
	case blocked != "":
		want = ModeFallback
		if cgoBinary {
			// glibc's own registration failed first.
			break
		}
		if !strings.Contains(info.Reason, blocked) {
			t.Errorf("reason %q does not name %s", info.Reason, blocked)
		}
	case refused != "":
		// A sandbox (gVisor, a seccomp profile) or a kernel without rseq(2):
		// nothing can register, whatever the build.
		want = ModeFallback
		t.Logf("rseq(2) is refused here (%s): the fallback is expected", refused)
		if !cgoBinary && !strings.Contains(info.Reason, refused) {
			// Own registration tried rseq(2) itself; glibc's failure is
			// reported as __rseq_size 0 instead.
			t.Errorf("reason %q does not name %s", info.Reason, refused)
		}
	case cgoBinary && glibcOff:
		want = ModeFallback
	case cgoBinary:
		want = ModeGlibc
	}
	if info.Mode != want {
		t.Fatalf("mode %v (%s), want %v", info.Mode, info.Reason, want)
	}
	if info.Mode == ModeFallback && info.Reason == "" {
		t.Error("fallback without a reason")
	}
	if info.Mode != ModeFallback && !info.Fence {
		t.Logf("no fence: %s", info.FenceReason)
	}
}

func TestIndexKind(t *testing.T) {
	info := Status()
	if info.Mode == ModeFallback {
		t.Skip("fallback")
	}
	if info.Indexes < runtime.NumCPU() {
		t.Fatalf("%d indexes for %d CPUs", info.Indexes, runtime.NumCPU())
	}
	hasMMCID := featureSize() >= 28
	switch os.Getenv(EnvIndex) {
	case "cpu", "cpu_id":
		if info.Index != IndexCPU {
			t.Fatalf("index %v, want cpu_id as %s asks", info.Index, EnvIndex)
		}
	default:
		if hasMMCID != (info.Index == IndexMMCID) {
			t.Fatalf("index %v with AT_RSEQ_FEATURE_SIZE %d", info.Index, featureSize())
		}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if !threadRunsSections() {
		t.Skip("this thread cannot run sections: " + info.ThreadFailReason)
	}
	idx, _ := arch.CurrentIndex()
	if int(idx) >= info.Indexes {
		t.Fatalf("index %d out of range %d", idx, info.Indexes)
	}
	if info.Index == IndexCPU && int(idx) != CPU() {
		// Both read the same thread at nearly the same time; a migration in
		// between is possible but the values must both be valid CPUs.
		t.Logf("cpu_id %d, CPU() %d", idx, CPU())
	}
}

func TestCPU(t *testing.T) {
	for i := 0; i < 1000; i++ {
		if c := CPU(); c < 0 || c >= max(NumIndexes(), runtime.GOMAXPROCS(0)) {
			t.Fatalf("CPU() = %d", c)
		}
	}
	t.Logf("CPU() source: %s", Status().CPUSource)
}

func TestFenceReported(t *testing.T) {
	info := Status()
	err := Fence(-1)
	if (err == nil) != info.Fence {
		t.Fatalf("Fence(-1) = %v but Status().Fence = %v (%s)", err, info.Fence, info.FenceReason)
	}
	if info.Fence {
		if err := Fence(CPU()); err != nil {
			t.Fatalf("Fence(%d): %v", CPU(), err)
		}
	}
}
