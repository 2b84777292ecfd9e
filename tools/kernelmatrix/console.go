package main

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/gorseq/percpu/tools/kernelmatrix/guest"
)

// Verdicts. Only an EXIT marker with status 0 is a PASS.
const (
	verdictPass    = "PASS"
	verdictFail    = "FAIL"
	verdictTimeout = "TIMEOUT"
)

// outcome is what one boot's console says.
type outcome struct {
	Verdict string
	Detail  string // why it is not a PASS, or what else went wrong

	Status       string  // the EXIT marker's status ("" without one)
	GuestSeconds float64 // the test binary's run time as the guest measured it
	Release      string  // uname -r in the guest, from the BEGIN marker
	Machine      string  // uname -m in the guest

	StatusLine string // TestModeMatchesEnvironment's "status: ..." text
	Passed     int    // top-level tests (and examples) that passed
	Failed     int
	Skipped    int
	FailedTest []string
	// FailedOutput holds, for each failed top-level test, the last lines
	// it printed (its subtests' lines included), so that a failure
	// explains itself even when the console's tail belongs to later tests.
	FailedOutput []testOutput

	Aborts       int64 // the stress runs' aborts, summed
	AbortReports int   // how many stress runs reported aborts

	// Started says the guest's init reached the test binary (its BEGIN
	// marker came out).
	Started bool

	Kmsg  []string // kernel log lines mentioning rseq
	Panic string   // the kernel's panic line, if it panicked
	OOM   string   // the OOM killer's line, if it killed something
}

var (
	// The stress tests log "mode <mode>; aborts N, ..." once per run, N
	// counting that run only. (Another test logs the process's running
	// total as "status <mode>; aborts N"; summing it too would count
	// aborts twice.)
	abortsRE = regexp.MustCompile(`\.go:\d+: mode [^;]*; aborts (\d+)`)
	// TestModeMatchesEnvironment logs "status: <rseq.Info>".
	statusRE = regexp.MustCompile(`\.go:\d+: status: (.*)$`)
	resultRE = regexp.MustCompile(`^--- (PASS|FAIL|SKIP): (\S+)`)
	// go test -v names the test whose lines follow: on its start, and
	// again whenever another test's output came in between.
	headerRE = regexp.MustCompile(`^=== (RUN|CONT|NAME|PAUSE)\s+(\S+)`)
	// A panic in the test binary (a test timeout is one).
	goPanicRE = regexp.MustCompile(`^panic: `)
	// Escape sequences (SeaBIOS and the terminal set-up print some).
	escapeRE = regexp.MustCompile("\x1b(\\[[0-9;?]*[A-Za-z]|[@-Z\\\\-_])")
)

// parseConsole reads a boot's console output. token and name must match
// the run's EXIT marker; timedOut says the host killed qemu. The verdict
// comes from the marker alone; the rest only explains it.
func parseConsole(console []byte, token, name string, timedOut bool) outcome {
	sc := newConsoleScan(token, name)
	for _, line := range consoleLines(console) {
		sc.line(line)
	}
	sc.judge(timedOut)
	return sc.o
}

// A testOutput is what one test printed.
type testOutput struct {
	Test  string
	Lines []string
}

// maxTestLines bounds the lines kept per test: a failing stress test can
// log thousands, and its last ones say why it failed.
const maxTestLines = 40

// A consoleScan is what parseConsole has read so far.
type consoleScan struct {
	o outcome
	// The top-level test whose lines are being read (from the latest
	// "=== RUN", "=== CONT" or "=== NAME" header), and its lines so far.
	current            string
	lines              map[string][]string
	initError, goPanic string
	running            []string // the tests running when a test timed out
	inRunning          bool     // the lines being read list them
	exitFound          bool
	// The markers of this run.
	beginPrefix, exitPrefix, kmsgPrefix string
}

func newConsoleScan(token, name string) *consoleScan {
	return &consoleScan{
		beginPrefix: guest.Begin + " " + token + " " + name + " ",
		exitPrefix:  guest.Exit + " " + token + " " + name + " ",
		kmsgPrefix:  guest.Kmsg + " " + token + " ",
	}
}

// line reads one console line: a marker of the run, the kernel's word on
// memory or a panic, or else a line of the test binary's output.
func (sc *consoleScan) line(line string) {
	o := &sc.o
	// "panic: test timed out after 10s\n\trunning tests:\n\t\tTestX (10s)"
	if sc.inRunning && strings.HasPrefix(line, "\t\t") {
		sc.running = append(sc.running, strings.TrimSpace(line))
		return
	}
	sc.inRunning = sc.goPanic != "" && line == "\trunning tests:"
	switch {
	case strings.Contains(line, sc.exitPrefix):
		f := strings.Fields(line[strings.Index(line, sc.exitPrefix)+len(sc.exitPrefix):])
		if len(f) > 0 {
			sc.exitFound = true
			o.Status = f[0]
		}
		if len(f) > 1 {
			o.GuestSeconds, _ = strconv.ParseFloat(f[1], 64)
		}
	case strings.Contains(line, sc.beginPrefix):
		o.Started = true
		f := strings.Fields(line[strings.Index(line, sc.beginPrefix)+len(sc.beginPrefix):])
		if len(f) > 1 {
			o.Release, o.Machine = f[0], f[1]
		}
	case strings.Contains(line, sc.kmsgPrefix):
		o.Kmsg = append(o.Kmsg, line[strings.Index(line, sc.kmsgPrefix)+len(sc.kmsgPrefix):])
	case strings.Contains(line, guest.Error+" "):
		sc.initError = line[strings.Index(line, guest.Error+" ")+len(guest.Error)+1:]
	case strings.Contains(line, "Out of memory: Killed process"):
		if o.OOM == "" {
			o.OOM = strings.TrimSpace(line[strings.Index(line, "Out of memory"):])
		}
	case strings.Contains(line, "Kernel panic - not syncing"):
		if o.Panic == "" {
			o.Panic = strings.TrimSpace(line[strings.Index(line, "Kernel panic"):])
		}
	default:
		sc.testLine(line)
	}
}

// testLine reads a line of the test binary's output: a test's result, a
// stress run's aborts, the mode's status line, or the start of a panic.
func (sc *consoleScan) testLine(line string) {
	o := &sc.o
	if m := headerRE.FindStringSubmatch(line); m != nil {
		sc.current, _, _ = strings.Cut(m[2], "/")
		return
	}
	sc.keep(line)
	if m := resultRE.FindStringSubmatch(line); m != nil {
		switch m[1] {
		case "PASS":
			o.Passed++
		case "FAIL":
			o.Failed++
			o.FailedTest = append(o.FailedTest, m[2])
			o.FailedOutput = append(o.FailedOutput, testOutput{Test: m[2], Lines: sc.lines[m[2]]})
		case "SKIP":
			o.Skipped++
		}
	} else if m := abortsRE.FindStringSubmatch(line); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		o.Aborts += n
		o.AbortReports++
	} else if m := statusRE.FindStringSubmatch(line); m != nil && o.StatusLine == "" {
		o.StatusLine = strings.TrimSpace(m[1])
	} else if goPanicRE.MatchString(line) && sc.goPanic == "" {
		sc.goPanic = line
	}
}

// keep files a line of output under the test that printed it, keeping the
// last maxTestLines of each test.
func (sc *consoleScan) keep(line string) {
	if sc.current == "" || strings.TrimSpace(line) == "" {
		return
	}
	if sc.lines == nil {
		sc.lines = make(map[string][]string)
	}
	l := append(sc.lines[sc.current], line)
	if len(l) > maxTestLines {
		l = l[len(l)-maxTestLines:]
	}
	sc.lines[sc.current] = l
}

// judge sets the verdict, from the exit marker alone, and the detail that
// explains it; timedOut says the host killed qemu.
func (sc *consoleScan) judge(timedOut bool) {
	o := &sc.o
	switch {
	case sc.exitFound && o.Status == "0":
		o.Verdict = verdictPass
		if timedOut {
			o.Detail = "the test passed but the guest did not power off before the timeout"
		}
	case sc.exitFound:
		o.Verdict = verdictFail
		o.Detail = sc.failDetail()
	case timedOut:
		o.Verdict = verdictTimeout
		o.Detail = "no exit marker before the timeout; qemu was killed"
	default:
		o.Verdict = verdictFail
		o.Detail = sc.noMarkerDetail()
	}
}

// failDetail explains an exit marker with a non-zero status: how the binary
// ended, then the failed tests, the panic and where it struck, and an OOM
// kill.
func (sc *consoleScan) failDetail() string {
	o := &sc.o
	var d string
	switch {
	case o.Status == guest.StatusError:
		d = "init could not start the test binary"
	case strings.HasPrefix(o.Status, "SIG"):
		d = "the test binary was killed by " + o.Status
	default:
		d = "the test binary exited with status " + o.Status
	}
	if len(o.FailedTest) > 0 {
		d += "; failed: " + strings.Join(o.FailedTest, ", ")
	}
	if sc.goPanic != "" {
		d += "; " + sc.goPanic
	}
	if len(sc.running) > 0 {
		d += " in " + strings.Join(sc.running, ", ")
	}
	if o.OOM != "" {
		d += "; " + o.OOM + " (try a larger -mem)"
	}
	return d
}

// noMarkerDetail explains a console that ended without the exit marker.
func (sc *consoleScan) noMarkerDetail() string {
	switch {
	case sc.o.Panic != "":
		return sc.o.Panic
	case sc.initError != "":
		return "init: " + sc.initError
	}
	return "the console ended without the exit marker"
}

// consoleLines splits console output into lines without carriage returns,
// escape sequences or other control characters.
func consoleLines(console []byte) []string {
	text := escapeRE.ReplaceAllString(string(console), "")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.Map(func(r rune) rune {
			if r < ' ' && r != '\t' || r == 0x7f {
				return -1
			}
			return r
		}, l)
	}
	return lines
}

// maxDumpLines bounds the part of a Go panic that showFailure prints: a
// test timeout's dump of every goroutine of a stress test runs to
// thousands of lines.
const maxDumpLines = 600

// goPanicDump returns the console lines from the test binary's first Go
// panic on, up to the run's exit marker and at most maxDumpLines; nil
// without a panic.
func goPanicDump(lines []string) []string {
	for i, l := range lines {
		if !goPanicRE.MatchString(l) {
			continue
		}
		dump := lines[i:min(len(lines), i+maxDumpLines)]
		for j, d := range dump {
			if strings.HasPrefix(d, guest.Exit+" ") {
				return dump[:j]
			}
		}
		return dump
	}
	return nil
}

// diedBeforeTest reports whether a run failed because the guest kernel
// panicked before the test binary began: nothing of the project ran, so
// the run says nothing about it. Under TCG a kernel sometimes oopses while
// it patches its own text at boot (seen once: an int3 in
// sched_clock_tick, 3 s after power-on), and the matrix boots such a run
// once more rather than fail on it.
func diedBeforeTest(o outcome) bool {
	return o.Verdict != verdictPass && !o.Started && o.Panic != ""
}
