package rseq

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gorseq/percpu/internal/arch"
)

// Mode says how this process runs critical sections.
type Mode uint8

const (
	// ModeFallback: no restartable sequences; every structure runs on its
	// mutex shards. Status().Reason says why.
	ModeFallback Mode = iota
	// ModeOwn: the library registers its own struct rseq per thread (a
	// binary without cgo).
	ModeOwn
	// ModeGlibc: glibc registered every thread; the library adopts its area.
	ModeGlibc
)

func (m Mode) String() string {
	switch m {
	case ModeOwn:
		return "own registration"
	case ModeGlibc:
		return "glibc registration"
	}
	return "fallback"
}

// IndexKind says which kernel-provided number indexes per-CPU data.
type IndexKind uint8

const (
	// IndexCPU indexes by cpu_id, the CPU the thread runs on.
	IndexCPU IndexKind = iota
	// IndexMMCID indexes by mm_cid (Linux 6.3+), a compact per-process id
	// below min(threads, allowed CPUs): the right choice when the process may
	// use far fewer CPUs than the machine has.
	IndexMMCID
)

func (k IndexKind) String() string {
	if k == IndexMMCID {
		return "mm_cid"
	}
	return "cpu_id"
}

// Info describes the active mode. Status returns it.
type Info struct {
	Mode        Mode      // how sections run
	Reason      string    // why this mode: for the fallback, what failed
	Index       IndexKind // what indexes per-CPU data
	Indexes     int       // number of per-CPU slots in every structure
	Fence       bool      // whether a fence works (always, with rseq)
	FenceKind   string    // "membarrier", or "sched" for the slower CPU walk
	FenceReason string    // why not membarrier, or why no fence at all
	CPUSource   string    // how CPU() finds the CPU
	// ThreadsRegistered counts threads registered by this library (own
	// mode); ThreadsFailed counts threads that could not register and use
	// the fallback.
	ThreadsRegistered int64
	ThreadsFailed     int64
	ThreadFailReason  string
	// Aborts counts section restarts observed by calls that reached their
	// slow path; AbortedOps counts calls that gave up after too many.
	Aborts     int64
	AbortedOps int64
	// MarkingOps counts entry-stack pushes and pops that ran while the GC
	// was marking, on the per-CPU stacks through the marking protocol.
	// ShardOps counts those that went to a fallback shard although sections
	// run in this process (a thread that cannot register, a stopped CPU, too
	// many aborts in a row).
	MarkingOps int64
	ShardOps   int64
}

func (i Info) String() string {
	var b strings.Builder
	b.WriteString(i.Mode.String())
	if i.Mode != ModeFallback {
		b.WriteString(", index " + i.Index.String() + " (" + strconv.Itoa(i.Indexes) + " slots)")
		switch {
		case i.FenceKind == "membarrier":
			b.WriteString(", membarrier fence")
		case i.Fence:
			b.WriteString(", " + i.FenceKind + " fence (" + i.FenceReason + ")")
		default:
			b.WriteString(", no fence: " + i.FenceReason)
		}
	}
	if i.Reason != "" {
		b.WriteString(": " + i.Reason)
	}
	return b.String()
}

// The decision, made once at init and never changed.
var (
	on       bool // sections may run
	mode     Mode
	reason   string
	index    IndexKind
	nIndexes int
)

var (
	threadsRegistered atomic.Int64
	threadsFailed     atomic.Int64
	threadFailReason  atomic.Pointer[string]
	abortCount        atomic.Int64
	abortedOps        atomic.Int64

	// markingOps counts entry-stack operations run with the marking
	// protocol; shardOps counts those that went to a fallback shard although
	// the process runs sections. Zero Counters allocate at their first Add,
	// which comes after init has set nIndexes.
	markingOps, shardOps Counter
)

// EnvMode is the environment variable that forces the fallback ("off").
const EnvMode = "PERCPU_RSEQ"

// EnvIndex is the environment variable that chooses the index: "cpu" or
// "mm_cid" (the default where the kernel provides it).
const EnvIndex = "PERCPU_RSEQ_INDEX"

func init() {
	nIndexes = possibleCPUs()
	switch v := os.Getenv(EnvMode); v {
	case "", "on":
		mode, index, reason = detect()
	case "off":
		mode, reason = ModeFallback, EnvMode+"=off"
	default:
		mode, reason = ModeFallback, EnvMode+"="+strconv.Quote(v)+" is not on or off"
	}
	on = mode != ModeFallback
	if on {
		startFence()
	} else {
		close(fenceDone)
	}
}

// Status reports the active mode, why, and what the library has seen.
func Status() Info {
	info := Info{
		Mode: mode, Reason: reason, Index: index, Indexes: nIndexes,
		CPUSource:         cpuSource(),
		ThreadsRegistered: threadsRegistered.Load(),
		ThreadsFailed:     threadsFailed.Load(),
		Aborts:            abortCount.Load(),
		AbortedOps:        abortedOps.Load(),
		MarkingOps:        markingOps.Load(),
		ShardOps:          shardOps.Load(),
	}
	if r := threadFailReason.Load(); r != nil {
		info.ThreadFailReason = *r
	}
	if err := fenceStatus(); err != nil {
		info.FenceReason = err.Error()
	} else {
		info.Fence, info.FenceKind, info.FenceReason = true, fenceKind, fenceNote
	}
	return info
}

// Enabled reports whether sections run in this process (some threads may
// still use the fallback; see Info.ThreadsFailed).
func Enabled() bool { return on }

// NumIndexes is the number of per-CPU slots every structure has.
func NumIndexes() int { return nIndexes }

// possibleCPUs counts the CPU ids the kernel may ever report.
func possibleCPUs() int {
	n := runtime.NumCPU()
	data, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		return n
	}
	for _, part := range strings.Split(strings.TrimSpace(string(data)), ",") {
		last := part[strings.LastIndexByte(part, '-')+1:]
		if v, err := strconv.Atoi(last); err == nil && v+1 > n {
			n = v + 1
		}
	}
	return n
}

// settle finishes a call whose section did not commit cleanly. It records
// the status; when the thread had no area yet it registers the thread and
// runs the section once more on that same thread (retry). It returns the final status and
// whether the caller must use its fallback shard instead: the thread cannot
// run sections, the index is stopped, or the section aborted too often
// (GCMarking, which only the gated entry sections report, also sends the
// caller to its shard; the entry stacks handle it before settle).
func settle(st arch.Status, retry func() arch.Status) (arch.Status, bool) {
	noteStatus(st)
	if st.Outcome() == arch.Unregistered {
		if again, ran := retryRegistered(retry); ran {
			st = again
			noteStatus(st)
		}
	}
	switch st.Outcome() {
	case arch.Committed, arch.Full, arch.Empty:
		return st, false
	}
	return st, true
}

// noteStatus records a slow-path status in the process-wide statistics.
func noteStatus(st arch.Status) {
	if a := st.Aborts(); a > 0 {
		abortCount.Add(int64(a))
	}
	if st.Outcome() == arch.Aborted {
		abortedOps.Add(1)
	}
}
