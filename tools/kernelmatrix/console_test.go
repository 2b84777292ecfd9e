package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

const token = "0123456789abcdef"

// boot6_12 is a passing run's console as qemu delivers it: firmware noise
// with escape sequences, CRLF line ends, the test's -v output.
const boot6_12 = "\x1bc\x1b[?7l\x1b[2JSeaBIOS (version 1.16.2)\r\n" +
	"Booting from ROM...\r\n" +
	"\x1bc\x1b[?7l\x1b[2JKMATRIX-BEGIN " + token + " rseq 6.12.117+deb12-amd64 x86_64\r\n" +
	"=== RUN   TestCounterConservation\r\n" +
	"    counter_test.go:14: mode own registration; aborts 2, ops that gave up 0, threads registered 415, failed 0\r\n" +
	"    counter_test.go:14: mode own registration; aborts 5, ops that gave up 0, threads registered 416, failed 0\r\n" +
	"--- PASS: TestCounterConservation (0.73s)\r\n" +
	"    entries_test.go:93: 60 GC cycles; status own registration; aborts 44\r\n" +
	"--- PASS: TestEntryStacksGC (3.98s)\r\n" +
	"    mode_test.go:17: status: own registration, index mm_cid (2 slots), membarrier fence\r\n" +
	"--- PASS: TestModeMatchesEnvironment (0.00s)\r\n" +
	"=== RUN   TestIndexKind\r\n" +
	"    --- PASS: TestIndexKind/sub (0.00s)\r\n" +
	"--- SKIP: TestIndexKind (0.00s)\r\n" +
	"PASS\r\n" +
	"KMATRIX-KMSG " + token + " rseq_syscall: something the kernel said\r\n" +
	"KMATRIX-EXIT " + token + " rseq 0 12.5\r\n" +
	"[    4.543269] reboot: Power down\r\n"

func TestParsePass(t *testing.T) {
	o := parseConsole([]byte(boot6_12), token, "rseq", false)
	if o.Verdict != verdictPass || o.Detail != "" {
		t.Fatalf("verdict %s (%s), want PASS", o.Verdict, o.Detail)
	}
	if o.Status != "0" || o.GuestSeconds != 12.5 {
		t.Errorf("status %q, %v s", o.Status, o.GuestSeconds)
	}
	if o.Release != "6.12.117+deb12-amd64" || o.Machine != "x86_64" {
		t.Errorf("release %q machine %q", o.Release, o.Machine)
	}
	if want := "own registration, index mm_cid (2 slots), membarrier fence"; o.StatusLine != want {
		t.Errorf("status line %q, want %q", o.StatusLine, want)
	}
	// The running total ("status ...; aborts 44") is not added in.
	if o.Aborts != 7 || o.AbortReports != 2 {
		t.Errorf("aborts %d in %d reports, want 7 in 2", o.Aborts, o.AbortReports)
	}
	// Subtests are not counted; examples and tests at the top level are.
	if o.Passed != 3 || o.Skipped != 1 || o.Failed != 0 {
		t.Errorf("%d passed, %d skipped, %d failed; want 3, 1, 0", o.Passed, o.Skipped, o.Failed)
	}
	if len(o.Kmsg) != 1 || o.Kmsg[0] != "rseq_syscall: something the kernel said" {
		t.Errorf("kmsg %q", o.Kmsg)
	}
}

func TestParseMarkerMissing(t *testing.T) {
	console := strings.Split(boot6_12, "KMATRIX-EXIT")[0] // the console stops short
	o := parseConsole([]byte(console), token, "rseq", false)
	if o.Verdict != verdictFail || !strings.Contains(o.Detail, "without the exit marker") {
		t.Fatalf("verdict %s (%s), want FAIL for a missing marker", o.Verdict, o.Detail)
	}
	// The output before it is still read.
	if o.Passed != 3 || o.StatusLine == "" {
		t.Errorf("%d passed, status line %q", o.Passed, o.StatusLine)
	}
}

func TestParseStatusNonZero(t *testing.T) {
	console := "KMATRIX-BEGIN " + token + " rseq 6.1.0-56-arm64 aarch64\n" +
		"--- FAIL: TestCounterConservation (1.00s)\n" +
		"--- PASS: TestCPU (0.00s)\n" +
		"FAIL\n" +
		"KMATRIX-EXIT " + token + " rseq 1 3.0\n"
	o := parseConsole([]byte(console), token, "rseq", false)
	if o.Verdict != verdictFail || o.Status != "1" {
		t.Fatalf("verdict %s status %q, want FAIL 1", o.Verdict, o.Status)
	}
	if !strings.Contains(o.Detail, "status 1") || !strings.Contains(o.Detail, "TestCounterConservation") {
		t.Errorf("detail %q names neither the status nor the failed test", o.Detail)
	}
	if o.Passed != 1 || o.Failed != 1 {
		t.Errorf("%d passed, %d failed", o.Passed, o.Failed)
	}
}

func TestParseKilledBySignal(t *testing.T) {
	console := "KMATRIX-EXIT " + token + " rseq SIGSEGV 0.4\n"
	o := parseConsole([]byte(console), token, "rseq", false)
	if o.Verdict != verdictFail || !strings.Contains(o.Detail, "SIGSEGV") {
		t.Fatalf("verdict %s (%s), want FAIL naming SIGSEGV", o.Verdict, o.Detail)
	}
}

func TestParseOOM(t *testing.T) {
	console := "=== RUN   TestReleaseReturnsEverything\r\n" +
		"[   11.833231] Out of memory: Killed process 140 (slab.test) total-vm:2183716kB\r\n" +
		"KMATRIX-EXIT " + token + " slab SIGKILL 9.1\r\n"
	o := parseConsole([]byte(console), token, "slab", false)
	if o.Verdict != verdictFail || !strings.Contains(o.Detail, "SIGKILL") || !strings.Contains(o.Detail, "Out of memory: Killed process 140") {
		t.Fatalf("verdict %s (%s), want FAIL naming the signal and the OOM killer", o.Verdict, o.Detail)
	}
}

func TestParseGoPanic(t *testing.T) {
	console := "panic: test timed out after 3m30s\r\n\trunning tests:\r\n\t\tTestFenceManager (3m30s)\r\n\r\n" +
		"goroutine 1 [running]:\r\n" +
		"KMATRIX-EXIT " + token + " rseq 2 210.0\r\n"
	o := parseConsole([]byte(console), token, "rseq", false)
	want := "the test binary exited with status 2; panic: test timed out after 3m30s in TestFenceManager (3m30s)"
	if o.Verdict != verdictFail || o.Detail != want {
		t.Fatalf("verdict %s (%s), want FAIL (%s)", o.Verdict, o.Detail, want)
	}
}

func TestParseKernelPanic(t *testing.T) {
	// PID 1 died: the kernel panics, reboots, and qemu (-no-reboot) exits 0.
	console := "KMATRIX-BEGIN " + token + " rseq 6.1.0-56-amd64 x86_64\r\n" +
		"[    5.1] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\r\n" +
		"[    5.2] ---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100 ]---\r\n"
	o := parseConsole([]byte(console), token, "rseq", false)
	if o.Verdict != verdictFail {
		t.Fatalf("verdict %s, want FAIL after a kernel panic", o.Verdict)
	}
	if want := "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100"; o.Detail != want {
		t.Errorf("detail %q, want %q", o.Detail, want)
	}
}

func TestParseTimeout(t *testing.T) {
	console := "KMATRIX-BEGIN " + token + " rseq 6.1.0-56-amd64 x86_64\n=== RUN   TestCounterConservation\n"
	o := parseConsole([]byte(console), token, "rseq", true)
	if o.Verdict != verdictTimeout {
		t.Fatalf("verdict %s, want TIMEOUT", o.Verdict)
	}
	// A marker that made it out before the kill still decides.
	o = parseConsole([]byte(console+"KMATRIX-EXIT "+token+" rseq 0 1.0\n"), token, "rseq", true)
	if o.Verdict != verdictPass || o.Detail == "" {
		t.Fatalf("verdict %s (%q), want PASS with a note on the power-off", o.Verdict, o.Detail)
	}
}

func TestParseForeignMarker(t *testing.T) {
	// A marker with another token (a test printing one, or a stale boot)
	// or another package's name does not count.
	for _, line := range []string{
		"KMATRIX-EXIT ffffffffffffffff rseq 0 1.0",
		"KMATRIX-EXIT " + token + " slab 0 1.0",
		"KMATRIX-EXIT " + token + " rseq",
	} {
		o := parseConsole([]byte(line+"\n"), token, "rseq", false)
		if o.Verdict == verdictPass {
			t.Errorf("%q: PASS from a marker that is not this run's", line)
		}
	}
}

func TestParseMarkerAfterNoise(t *testing.T) {
	// The kernel may print on the console in the middle of a line.
	console := "[  3.0] random: crng init done\rKMATRIX-EXIT " + token + " rseq 0 1.0\r\n"
	if o := parseConsole([]byte(console), token, "rseq", false); o.Verdict != verdictPass {
		t.Fatalf("verdict %s (%s), want PASS", o.Verdict, o.Detail)
	}
}

func TestParseInitError(t *testing.T) {
	console := "KMATRIX-INIT-ERROR open /kmatrix.json: no such file or directory\n"
	o := parseConsole([]byte(console), token, "rseq", false)
	if o.Verdict != verdictFail || !strings.Contains(o.Detail, "/kmatrix.json") {
		t.Fatalf("verdict %s (%s), want FAIL naming init's error", o.Verdict, o.Detail)
	}
}

func TestStatusFields(t *testing.T) {
	for _, c := range []struct{ line, reg, index, fence string }{
		{"own registration, index mm_cid (2 slots), membarrier fence", "own", "mm_cid (2)", "membarrier"},
		{"glibc registration, index cpu_id (2 slots), sched fence (membarrier: EINVAL)", "glibc", "cpu_id (2)", "sched"},
		{"own registration, index cpu_id (4 slots), no fence: no membarrier", "own", "cpu_id (4)", "no fence"},
		{"own registration, index cpu_id (2 slots), membarrier fence: kernel without mm_cid", "own (kernel without mm_cid)", "cpu_id (2)", "membarrier"},
		{"glibc registration, index cpu_id (2 slots), sched fence (membarrier: EINVAL): kernel without mm_cid", "glibc (kernel without mm_cid)", "cpu_id (2)", "sched"},
		{"fallback: rseq(2) returned ENOSYS", "fallback (rseq(2) returned ENOSYS)", "-", "-"},
		{"", "-", "-", "-"},
	} {
		reg, index, fence := statusFields(c.line)
		if reg != c.reg || index != c.index || fence != c.fence {
			t.Errorf("%q: %q, %q, %q; want %q, %q, %q", c.line, reg, index, fence, c.reg, c.index, c.fence)
		}
	}
}

func TestTestLine(t *testing.T) {
	sc := newConsoleScan("tok", "rseq")
	for _, l := range []string{
		"    stress_test.go:40: mode rseq; aborts 3, commits 100",
		"    mode_test.go:12: status rseq; aborts 9", // a running total: not summed
		"    mode_test.go:20: status: first",
		"    mode_test.go:20: status: second",
		"panic: one",
		"panic: two",
		"--- SKIP: TestX (0.00s)",
	} {
		sc.testLine(l)
	}
	o := sc.o
	if o.Aborts != 3 || o.AbortReports != 1 || o.StatusLine != "first" || sc.goPanic != "panic: one" || o.Skipped != 1 {
		t.Errorf("aborts %d in %d, status %q, panic %q, skipped %d; want 3 in 1, first, panic: one, 1",
			o.Aborts, o.AbortReports, o.StatusLine, sc.goPanic, o.Skipped)
	}
}

// A failed test's own lines are kept, its subtests' included, while the
// lines of tests that ran between them are not: the console's tail alone
// would show only the tests that ran after it.
func TestParseFailedTestOutput(t *testing.T) {
	console := "KMATRIX-BEGIN " + token + " rseq 6.1.0-56-arm64 aarch64\n" +
		"=== RUN   TestShrinks\n" +
		"    growth_test.go:40: burst grew the stack to 64\n" +
		"=== PAUSE TestShrinks\n" +
		"=== RUN   TestOther\n" +
		"    other_test.go:9: not this one\n" +
		"--- PASS: TestOther (0.01s)\n" +
		"=== CONT  TestShrinks\n" +
		"=== RUN   TestShrinks/idle\n" +
		"    growth_test.go:77: limit 32 after 10 cycles, want 16\n" +
		"    --- FAIL: TestShrinks/idle (0.20s)\n" +
		"--- FAIL: TestShrinks (0.30s)\n" +
		"=== RUN   TestLater\n" +
		"    later_test.go:1: after it\n" +
		"--- PASS: TestLater (0.00s)\n" +
		"FAIL\n" +
		"KMATRIX-EXIT " + token + " rseq 1 3.0\n"
	o := parseConsole([]byte(console), token, "rseq", false)
	if len(o.FailedOutput) != 1 || o.FailedOutput[0].Test != "TestShrinks" {
		t.Fatalf("failed output %+v, want TestShrinks's alone", o.FailedOutput)
	}
	got := strings.Join(o.FailedOutput[0].Lines, "\n")
	for _, want := range []string{"burst grew", "want 16", "--- FAIL: TestShrinks/idle", "--- FAIL: TestShrinks ("} {
		if !strings.Contains(got, want) {
			t.Errorf("TestShrinks's lines lack %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"not this one", "after it", "=== "} {
		if strings.Contains(got, not) {
			t.Errorf("TestShrinks's lines hold %q:\n%s", not, got)
		}
	}
}

// Only the last maxTestLines lines of a test are kept.
func TestParseFailedTestOutputBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("=== RUN   TestLoud\n")
	for i := 0; i < 3*maxTestLines; i++ {
		fmt.Fprintf(&b, "    loud_test.go:1: line %d\n", i)
	}
	b.WriteString("--- FAIL: TestLoud (1.00s)\n")
	o := parseConsole([]byte(b.String()), token, "rseq", false)
	if len(o.FailedOutput) != 1 {
		t.Fatalf("failed output %+v", o.FailedOutput)
	}
	lines := o.FailedOutput[0].Lines
	if len(lines) != maxTestLines || !strings.HasPrefix(lines[len(lines)-1], "--- FAIL") ||
		!strings.HasSuffix(lines[len(lines)-2], fmt.Sprintf("line %d", 3*maxTestLines-1)) {
		t.Errorf("%d lines kept, ending %q; want the last %d", len(lines), lines[len(lines)-2:], maxTestLines)
	}
}

// TestShowFailurePrintsTheGoroutineDump: a failed run whose test binary
// panicked (a test timeout) shows the panic and the goroutines it printed,
// which explain a hang, not only the console's last lines; a run without a
// panic shows its last lines.
func TestShowFailurePrintsTheGoroutineDump(t *testing.T) {
	var console strings.Builder
	console.WriteString("=== RUN   TestStuck\r\n")
	console.WriteString("panic: test timed out after 3m30s\r\n\trunning tests:\r\n\t\tTestStuck (3m30s)\r\n\r\n")
	console.WriteString("goroutine 7 [semacquire, 3 minutes]:\r\nsync.(*Mutex).Lock(...)\r\n\r\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&console, "goroutine %d [runnable]:\r\nmain.spin()\r\n\r\n", 100+i)
	}
	console.WriteString("KMATRIX-EXIT " + token + " rseq 2 210.0\r\n[    4.5] reboot: Power down\r\n")
	log := t.TempDir() + "/console.log"
	if err := os.WriteFile(log, []byte(console.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := row{Mode: "rseq", Log: log, Out: parseConsole([]byte(console.String()), token, "rseq", false)}
	var out strings.Builder
	showFailure(&out, r, false)
	for _, want := range []string{"panic: test timed out", "goroutine 7 [semacquire, 3 minutes]:", "goroutine 199 [runnable]:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("showFailure's output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "KMATRIX-EXIT") || strings.Contains(out.String(), "Power down") {
		t.Errorf("the dump runs past the exit marker:\n%s", out.String())
	}

	plain := "=== RUN   TestX\r\n--- FAIL: TestX (0.00s)\r\nFAIL\r\nKMATRIX-EXIT " + token + " rseq 1 1.0\r\n"
	if err := os.WriteFile(log, []byte(plain), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Out = parseConsole([]byte(plain), token, "rseq", false)
	out.Reset()
	showFailure(&out, r, false)
	if !strings.Contains(out.String(), "last lines of the console:") {
		t.Errorf("a failure without a panic does not show the console's last lines:\n%s", out.String())
	}
}

// TestDiedBeforeTest: a kernel panic before the BEGIN marker (as a TCG boot
// once gave, oopsing in sched_clock_tick) is a boot to retry; a kernel
// panic after the test began, a failed test and a pass are not.
func TestDiedBeforeTest(t *testing.T) {
	oops := "\x1bc\x1b[?7l\x1b[2JSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\nBooting from ROM...\r\n" +
		"[    3.107973] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI\r\n" +
		"[    3.110946] RIP: 0010:sched_clock_tick+0x5/0xb0\r\n" +
		"[    3.114815] Kernel panic - not syncing: Fatal exception in interrupt\r\n"
	begin := "KMATRIX-BEGIN " + token + " rseq 6.12.117+deb12-amd64 x86_64\r\n=== RUN   TestX\r\n"
	for _, tc := range []struct {
		name, console string
		want          bool
	}{
		{"panic before the test", oops, true},
		{"panic after the test began", begin + oops, false},
		{"a failed test", begin + "--- FAIL: TestX (0.00s)\r\nKMATRIX-EXIT " + token + " rseq 1 1.0\r\n", false},
		{"a pass", boot6_12, false},
	} {
		o := parseConsole([]byte(tc.console), token, "rseq", false)
		if got := diedBeforeTest(o); got != tc.want {
			t.Errorf("%s: diedBeforeTest = %v (verdict %s, started %v, panic %q), want %v", tc.name, got, o.Verdict, o.Started, o.Panic, tc.want)
		}
	}
}
