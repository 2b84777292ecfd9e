package main

import (
	"fmt"
	"slices"
	"strings"
)

// A Pool hands out *Item records. Get returns a record the caller now holds
// alone; Put gives it back, and the caller must not touch it again. A pool
// may drop what it is given and make new records (through the function its
// contender was built with) whenever it has none to hand out.
type Pool interface {
	Get() *Item
	Put(*Item)
}

// A BufferPool hands out byte buffers: GetBytes(n) returns one of length n,
// PutBytes gives it back. The same holding rules as Pool apply.
type BufferPool interface {
	GetBytes(n int) []byte
	PutBytes([]byte)
}

// An Arena serves one request: New returns a record that stays valid until
// Free, which releases every record New returned since the last Free. An
// arena is used by one goroutine at a time.
type Arena interface {
	New() *Item
	Free()
}

// A Counter is counted from many goroutines at once. adds(ops) adds 1 ops
// times; each contender writes that loop against its own concrete type, so
// that Add is a static call as in a program (an add costs a few
// nanoseconds, as much as the interface call would: see pairloop.go). Load
// returns the total of every add that has returned.
type Counter interface {
	adds(ops int)
	Load() int64
}

// A closer is a pool, buffer pool or arena that holds something outside the
// Go heap (an off-heap slab, a goroutine). The harness calls Close once it has
// finished with it; pools of garbage-collected memory need no Close.
type closer interface{ Close() }

// A Contender is one pool implementation under comparison. Each lives in its
// own file, contender_NAME.go, and registers itself from an init function:
//
//	func init() {
//		register(Contender{
//			Name:    "mine",
//			About:   "what it is, in a few words",
//			NewPool: func(newItem func() *Item) Pool { return newMinePool(newItem) },
//		})
//	}
//
// The constructor functions return empty pools that make every new value
// through the function they are given (which counts it, for the hit rate). A
// contender leaves nil the constructors for shapes it does not offer; the
// workloads that need that shape skip it.
type Contender struct {
	Name  string // the -impl value, and impl= in benchmark names
	About string // one line for the usage message

	// Baseline marks the contender that pools nothing (plain allocation):
	// its hit rate is zero by construction and the table shows none.
	Baseline bool
	// Fallback marks a contender built on this module's rseq library, which
	// reads PERCPU_RSEQ at start-up: -impl all runs it twice, as NAME and as
	// NAME/fallback (in a child process with PERCPU_RSEQ=off).
	Fallback bool
	// OffHeap marks a contender whose records live outside the Go heap: it
	// makes them itself, zeroed, instead of through the function its
	// constructors are given. It counts no new values, so the table shows no
	// hit rate; the tests check that its records are distinct, zeroed when
	// handed out and all freed in the end.
	OffHeap bool

	NewPool       func(newItem func() *Item) Pool
	NewBufferPool func(newBuffer func(n int) []byte) BufferPool
	NewArena      func(newItem func() *Item) Arena
	NewCounter    func() Counter
	NewKVShard    func() KVShard
}

// poolCapacity bounds every contender that keeps records: none wins by
// hoarding more than the others, and none drops records that another keeps.
const poolCapacity = 4096

// fallbackSuffix marks an -impl entry that runs with the rseq fast path off.
const fallbackSuffix = "/fallback"

// contenders holds the registered contenders, in registration order (file
// name order, since init functions run in that order).
var contenders []*Contender

// register adds c to the registry. It panics on a duplicate or unnamed
// contender, or one with no constructor: those are programming errors.
func register(c Contender) {
	switch {
	case c.Name == "" || strings.ContainsAny(c.Name, "/=, "):
		panic(fmt.Sprintf("allocbench: bad contender name %q", c.Name))
	case lookupContender(c.Name) != nil:
		panic("allocbench: contender " + c.Name + " registered twice")
	case c.NewPool == nil && c.NewBufferPool == nil && c.NewArena == nil && c.NewCounter == nil && c.NewKVShard == nil:
		panic("allocbench: contender " + c.Name + " has no constructor")
	}
	contenders = append(contenders, &c)
}

// lookupContender returns the contender named name, or nil.
func lookupContender(name string) *Contender {
	i := slices.IndexFunc(contenders, func(c *Contender) bool { return c.Name == name })
	if i < 0 {
		return nil
	}
	return contenders[i]
}

// contenderNames returns the names -impl all stands for: every contender,
// and NAME/fallback for those built on the rseq library.
func contenderNames() []string {
	var names []string
	for _, c := range contenders {
		names = append(names, c.Name)
		if c.Fallback {
			names = append(names, c.Name+fallbackSuffix)
		}
	}
	return names
}

// runs reports whether c can run workload w: whether it offers w's shape
// and, for a workload of expensive values, makes them through the function
// that pays for them.
func (c *Contender) runs(w *Workload) bool {
	return c.offers(w.Uses) && !(w.NewDelay > 0 && c.OffHeap)
}

// offers reports whether c can run a workload that uses shape s.
func (c *Contender) offers(s shape) bool {
	switch s {
	case shapePool:
		return c.NewPool != nil
	case shapeBuffers:
		return c.NewBufferPool != nil
	case shapeArena:
		return c.NewArena != nil
	case shapeCounter:
		return c.NewCounter != nil
	case shapeLogger:
		return c.NewPool != nil && c.NewBufferPool != nil
	case shapeKV:
		return c.NewKVShard != nil
	}
	return false
}
