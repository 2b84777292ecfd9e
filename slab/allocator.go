package slab

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/hitcount"
	"github.com/gorseq/percpu/rseq"
	"golang.org/x/sys/cpu"
)

// Options configure an Allocator. The zero value gives the defaults. Like
// the PerCPU and Depot fields of alloc's pools, they are fixed before first
// use: New takes them, and nothing changes them later.
type Options struct {
	// CacheBytesPerCPU bounds the bytes of objects each CPU may cache: the
	// sum over size classes of the class's per-CPU limit times its size
	// never exceeds it. Only classes of at most 1/32 of it (48 KiB by
	// default) are cached per CPU; larger ones go to the depot directly,
	// where one object is a small part of what a depot visit costs anyway.
	// 0 means
	// DefaultCacheBytesPerCPU; negative turns the per-CPU caches off.
	CacheBytesPerCPU int
	// ReleaseDelay is how long a span whose objects are all free stays
	// resident, ready for reuse, before its memory is returned to the
	// system. 0 means DefaultReleaseDelay; negative means only Release
	// returns memory.
	ReleaseDelay time.Duration
	// Debug turns on debug mode (see DebugMode). The environment variable
	// PERCPU_SLAB_DEBUG and the slabdebug build tag can turn it on too; the
	// strictest request wins.
	Debug DebugMode
}

// cachedFraction: classes up to budget/cachedFraction are cached per CPU.
// Every cached class holds at least one object per CPU, and the sizes of
// all classes up to X sum to about 6.5·X, so this keeps those minimums
// within a fifth of the budget.
const cachedFraction = 32

const (
	// DefaultCacheBytesPerCPU is TCMalloc's default per-CPU cache size.
	DefaultCacheBytesPerCPU = 3 << 19 // 1.5 MiB
	// DefaultReleaseDelay is how long idle spans stay resident by default.
	DefaultReleaseDelay = time.Second
)

// An Allocator hands out memory the garbage collector never scans: objects
// of size classes from 8 bytes to 256 KiB carved from mmap'd spans, cached
// per CPU, and large objects with spans of their own. All its methods may
// be called from any goroutine.
//
// An Allocator must not be copied after first use. Memory it returned must
// hold no Go pointers (see the package documentation, "Memory management").
type Allocator struct {
	// The fast paths' gates, derived from divert by setDivert: while divert
	// is 0, fastMax is the largest size cached per CPU and fastKey is id;
	// otherwise fastMax is 0 (Alloc tests size-1 < fastMax) and fastKey
	// matches no span. Read on every call.
	fastMax atomic.Uintptr
	fastKey atomic.Uint64
	// divert is non-zero while Alloc and Free must leave the fast path;
	// its bits say why. Written only by setDivert.
	divert   atomic.Uint32
	divertMu sync.Mutex // serializes setDivert

	// Immutable after New.
	id     uint64           // unique in the process; spans name their owner by it
	stacks *rseq.WordStacks // the per-CPU caches: one member per cached class
	// descs holds each cached class's section descriptor while sections
	// run (stacks.Desc), for the fast paths to call the sections directly;
	// nil in the fallback.
	descs         *[numClasses]*arch.StackDesc
	cachedMax     uintptr     // the largest size cached per CPU (0: none)
	cachedClasses uint        // classes [0, cachedClasses) are cached per CPU
	growable      bool        // per-CPU limits may change (false only without a fence)
	debug         *debugState // nil unless debug mode is on
	releaseDelay  time.Duration
	// drain takes every cached word out of the stacks: stacks.Drain, or a
	// stand-in in tests.
	drain func(fn func(k int, words []uintptr)) error

	classes [numClasses]classState
	heap    pageHeap
	tuner   tuner
	scav    scavenger
	cpus    []cpuCounters
	stats   globalCounters
	close   sync.Once
}

// classState is everything an Allocator keeps for one size class.
type classState struct {
	depot   depot
	central central
	misses  atomic.Int64     // allocations the CPU's cache could not serve
	over    atomic.Int64     // frees the CPU's cache had no room for
	events  atomic.Int64     // misses + overflows: drives the per-CPU limit
	limit   atomic.Int64     // the per-CPU limit now (mirrors tuner.limits)
	hits    hitcount.Counter // allocations the CPU's cache served, while counted
}

// The bits of Allocator.divert.
const (
	divertDebug     = 1 << iota // debug mode: check and poison every object
	divertCountHits             // CountHits(true)
	divertSelfDrain             // Release could not fence: CPUs drain themselves
	divertClosed                // Close was called
)

// New returns an Allocator. Its memory is mapped as it is needed.
func New(opts Options) (*Allocator, error) {
	mode, err := debugModeFromEnv()
	if err != nil {
		return nil, err
	}
	mode = max(mode, opts.Debug)
	if debugBuild {
		mode = max(mode, DebugChecks)
	}
	if mode > DebugProtect {
		return nil, fmt.Errorf("slab: unknown debug mode %d", mode)
	}
	a := &Allocator{id: allocatorIDs.Add(1), releaseDelay: opts.ReleaseDelay, growable: true}
	if a.releaseDelay == 0 {
		a.releaseDelay = DefaultReleaseDelay
	}
	budget := opts.CacheBytesPerCPU
	if budget == 0 {
		budget = DefaultCacheBytesPerCPU
	}
	for k := range a.classes {
		c := &a.classes[k]
		c.central.class = k
		c.depot.init(depotObjects(k))
		if budget > 0 && classes[k].size <= uintptr(budget)/cachedFraction {
			a.cachedClasses, a.cachedMax = uint(k)+1, classes[k].size
		}
	}
	a.setDivert(0, false) // open the fast paths
	if mode != DebugOff {
		a.debug = &debugState{protect: mode == DebugProtect}
		a.setDivert(divertDebug, true)
	}
	a.cpus = make([]cpuCounters, runtime.NumCPU())
	a.initCaches(int64(max(budget, 0)))
	if a.cachedClasses > 0 && a.stacks.Desc(0) != nil {
		a.descs = new([numClasses]*arch.StackDesc)
		for k := range int(a.cachedClasses) {
			a.descs[k] = a.stacks.Desc(k)
		}
	}
	a.drain = a.stacks.Drain
	return a, nil
}

// depotObjects is how many objects class k's depot holds at most: a few
// batches per CPU, and at most about 4 MiB.
func depotObjects(k int) int {
	c := &classes[k]
	return max(c.batch, min(c.batch*(4+2*rseq.NumIndexes()), int(4<<20/c.size)))
}

// initCaches creates the per-CPU stacks with their initial limits: each
// stack is created at its class's full capacity and then limited, so that
// it can grow (the fallback's shards follow the same limits). Where a limit
// cannot be set (sections run but no fence works), the stacks are created
// again at the initial limits, which then stay.
func (a *Allocator) initCaches(budget int64) {
	limits := a.tuner.init(budget, int(a.cachedClasses))
	a.stacks = rseq.NewWordStacks(a.capacities(limits))
	for k, limit := range limits {
		a.classes[k].limit.Store(int64(limit))
		if a.growable && a.stacks.Capacity(k) > limit && a.stacks.SetLimit(k, limit) != nil {
			a.growable = false // no fence: fixed capacities
			a.stacks = rseq.NewWordStacks(a.capacities(limits))
			return
		}
	}
}

// capacities returns the stacks' capacities for the given initial limits.
// A family needs a member even when no class is cached; it costs a slot.
func (a *Allocator) capacities(limits []int) []int {
	caps := make([]int, max(len(limits), 1))
	for k := range caps {
		switch {
		case k >= len(limits):
			caps[k] = 1
		case a.growable:
			caps[k] = classes[k].capacity
		default:
			caps[k] = limits[k]
		}
	}
	return caps
}

// Close returns all of the Allocator's memory to the system. Every object
// it handed out becomes invalid: touching one may crash the program. Using
// the Allocator after Close panics. Close is idempotent.
func (a *Allocator) Close() {
	a.close.Do(func() {
		a.setDivert(divertClosed, true)
		a.scav.stop()
		_ = a.drain(func(int, []uintptr) {})
		for k := range a.classes {
			a.classes[k].depot.takeAll()
			a.classes[k].central.reset()
		}
		if a.debug != nil {
			a.debug.forget()
		}
		a.heap.close()
	})
}

// setDivert sets (on) or clears the divert bits in bits, and opens or
// closes the fast paths to match.
func (a *Allocator) setDivert(bits uint32, on bool) {
	a.divertMu.Lock()
	defer a.divertMu.Unlock()
	d := a.divert.Load()
	if on {
		d |= bits
	} else {
		d &^= bits
	}
	a.divert.Store(d)
	if d == 0 {
		a.fastMax.Store(a.cachedMax)
		a.fastKey.Store(a.id)
	} else {
		a.fastMax.Store(0)
		a.fastKey.Store(^uint64(0)) // no span's fastOwner
	}
}

// allocatorIDs numbers Allocators from 1.
var allocatorIDs atomic.Uint64

var errClosed = errors.New("slab: Allocator used after Close")

// cpuCounters are the slow-path events seen on one CPU.
type cpuCounters struct {
	hits, misses, overflows atomic.Int64
	_                       cpu.CacheLinePad // no two CPUs' counters share a cache line
}

// onCPU returns the calling CPU's counters (by rseq.CPU, a hint).
func (a *Allocator) onCPU() *cpuCounters {
	return &a.cpus[uint(rseq.CPU())%uint(len(a.cpus))]
}

// globalCounters are the Allocator's own statistics.
type globalCounters struct {
	released   atomic.Int64 // bytes returned to the system, in total
	largeCount atomic.Int64 // large objects in use
	largeBytes atomic.Int64 // bytes of their spans
}

// monoStart anchors now.
var monoStart = time.Now()

// now returns monotonic nanoseconds.
func now() int64 { return int64(time.Since(monoStart)) }
