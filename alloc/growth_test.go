package alloc

import (
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/gorseq/percpu/rseq"
)

// TestPoolGrowsForBursts runs bursts of 100 Puts then 100 Gets on one CPU:
// the pool's stack there starts at StartPerCPU values and must grow until a
// burst fits, after which the bursts make no misses at all.
func TestPoolGrowsForBursts(t *testing.T) {
	if !rseq.Enabled() {
		t.Skip("per-CPU stacks need rseq: " + rseq.Status().Reason)
	}
	if raceEnabled {
		t.Skip("the race detector drops a share of Puts on purpose")
	}
	defer pinToOneCPU(t)()
	// No collection meanwhile: between rounds the stack is empty, and two
	// GC hooks that saw it so would shrink it.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	const burst = 100
	var p Pool
	vals := make([]any, burst)
	for i := range vals {
		vals[i] = new([64]byte)
	}
	for round := 0; round < 20; round++ {
		for _, v := range vals {
			p.Put(v)
		}
		for i := range vals {
			if vals[i] = p.Get(); vals[i] == nil {
				vals[i] = new([64]byte)
			}
		}
	}
	before := p.Stats()
	for round := 0; round < 20; round++ {
		for _, v := range vals {
			p.Put(v)
		}
		for i := range vals {
			if vals[i] = p.Get(); vals[i] == nil {
				t.Fatalf("round %d: Get %d missed after the stack had grown", round, i)
			}
		}
	}
	after := p.Stats()
	t.Logf("grows %d, per-CPU limit %d on %d CPUs, %d bytes; depot batches in %d out %d",
		after.Grows, after.PerCPULimit, after.CPUs, after.PerCPUBytes, after.DepotIn, after.DepotOut)
	if after.Grows == 0 || after.PerCPULimit < burst {
		t.Errorf("stack did not grow to hold a burst of %d: %d grows, limit %d", burst, after.Grows, after.PerCPULimit)
	}
	if after.DepotIn != before.DepotIn || after.DepotOut != before.DepotOut {
		t.Errorf("grown stack still went to the depot: batches in %d→%d, out %d→%d", before.DepotIn, after.DepotIn, before.DepotOut, after.DepotOut)
	}
}

// TestPoolGrowthStaysWithinBudget sets a per-CPU budget of zero, which has
// room for no growth: bursts then go through the depot, and the stacks stay at
// their starting size.
func TestPoolGrowthStaysWithinBudget(t *testing.T) {
	if !rseq.Enabled() {
		t.Skip("per-CPU stacks need rseq: " + rseq.Status().Reason)
	}
	defer pinToOneCPU(t)()
	defer SetPerCPUBudget(SetPerCPUBudget(0)) // no room: starting stacks only
	var p Pool
	vals := make([]any, 100)
	for round := 0; round < 5; round++ {
		for i := range vals {
			if vals[i] = p.Get(); vals[i] == nil {
				vals[i] = new([64]byte)
			}
		}
		for _, v := range vals {
			p.Put(v)
		}
	}
	st := p.Stats()
	if st.Grows != 0 || st.PerCPULimit > StartPerCPU {
		t.Errorf("pool grew beyond a full budget: %d grows, limit %d", st.Grows, st.PerCPULimit)
	}
	if st.DepotIn == 0 {
		t.Errorf("bursts larger than the stack never reached the depot")
	}
}

// TestManyPoolsMemory creates 10,000 pools, each used once (one Put,
// kept), and compares the heap they take with 10,000 sync.Pools used the
// same way: a pool used once holds its value in its seed (seed.go), with
// no per-CPU machinery, so 10,000 of them stay within 2× sync.Pool's heap
// and each costs at most 1 KiB more than a sync.Pool. Then it makes each
// pool busy enough to grow its machinery (seedCalls calls, one value kept)
// and checks the 1 KiB again: a grown pool has per-CPU memory only on the
// CPUs that use it, and in the fallback (and on a thread that cannot
// register) a 128-byte shard per P with a private part of 4 values on the
// Ps that put (rseq/spill.go); the shards that round GOMAXPROCS up to a
// power of two, which sync.Pool has no part for, are allowed on top.
func TestManyPoolsMemory(t *testing.T) {
	const n = 10000
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	std := make([]*sync.Pool, n)
	ours := make([]*Pool, n)
	_, heldBefore := PerCPUMemory()
	// No collection but heap's own: a sync.Pool keeps its per-P array (and
	// the value) as its victim through one collection and drops it at the
	// next, so a collection in the middle of the loop would make the first
	// pools look nearly free.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	base := heap()
	for i := range std {
		std[i] = new(sync.Pool)
		std[i].Put(new([64]byte))
	}
	stdBytes := int64(heap() - base) // one GC: sync.Pool keeps the value as its victim
	base = heap()
	for i := range ours {
		ours[i] = new(Pool)
		ours[i].Put(new([64]byte))
	}
	ourBytes := int64(heap() - base)
	per, stdPer := ourBytes/n, stdBytes/n
	t.Logf("%d pools used once: alloc.Pool %d B each, sync.Pool %d B each (%.1f×)",
		n, per, stdPer, float64(ourBytes)/float64(max(stdBytes, 1)))
	if per > stdPer+1024 || ourBytes > 2*stdBytes {
		t.Errorf("a used-once pool costs %d B, more than 1 KiB beyond sync.Pool's %d B or twice it", per, stdPer)
	}
	// Busy: each pool grows its per-CPU machinery and keeps one value. (The
	// race detector drops a quarter of Puts: a Get that finds none makes
	// another value, so every round is two calls.)
	for _, p := range ours {
		v := p.Get()
		for !p.c.Load().ready.Load() {
			if v == nil {
				v = new([64]byte)
			}
			p.Put(v)
			v = p.Get()
		}
		if v != nil {
			p.Put(v)
		}
	}
	grownBytes := int64(heap() - base)
	per = grownBytes / n
	st := ours[0].Stats()
	t.Logf("%d pools grown: alloc.Pool %d B each (%.1f× sync.Pool); per-CPU stacks %d B on %d CPUs",
		n, per, float64(grownBytes)/float64(max(stdBytes, 1)), st.PerCPUBytes, st.CPUs)
	allowed := stdPer + 1024
	if !ours[0].c.Load().ready.Load() {
		t.Fatal("the pools did not grow: the test measures seeds twice")
	}
	if st.CPUs == 0 { // the fallback's shards: one per P, to a power of two
		shards := 1
		for shards < runtime.GOMAXPROCS(0) {
			shards <<= 1
		}
		allowed += 128 * int64(shards-runtime.GOMAXPROCS(0))
	}
	if per > allowed {
		t.Errorf("a grown pool costs %d B, more than the %d B allowed (sync.Pool's %d B and 1 KiB)", per, allowed, stdPer)
	}
	runtime.KeepAlive(std)
	runtime.KeepAlive(ours)
	// Dropped, the pools give their per-CPU bytes back to the process's
	// budget (a cleanup per family), which the tests after this one need
	// to grow stacks: wait for it, collecting, and fail if it never comes.
	std, ours = nil, nil
	for i := 0; ; i++ {
		runtime.GC()
		_, held := PerCPUMemory()
		if held <= heldBefore {
			break
		}
		if i == 2000 {
			t.Fatalf("10,000 dropped pools still hold %d per-CPU bytes (%d before them)", held, heldBefore)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPoolGetReachesValuesCachedOnOtherCPUs puts values on one CPU and
// gets them on another: the Gets find their CPU's stack and the depot
// empty, collect what the first CPU's stack holds, and miss nothing.
func TestPoolGetReachesValuesCachedOnOtherCPUs(t *testing.T) {
	lockForTwoCPUs(t)
	const n = 64
	var p Pool
	onCPU(t, 0, func() {
		for range n {
			p.Put(new([64]byte))
		}
	})
	onCPU(t, 1, func() {
		for i := range n {
			if p.Get() == nil {
				t.Fatalf("Get %d on CPU 1 missed with %d values cached on CPU 0: %+v", i, n-i, p.Stats())
			}
		}
	})
	t.Logf("%+v", p.Stats())
}

// TestPoolCollectRefusalEndsWithTheCycle collects once, is refused a second
// collect in the same GC cycle, and is allowed one again once a cycle and
// its hook have run: a refusal is remembered only until the hook runs.
func TestPoolCollectRefusalEndsWithTheCycle(t *testing.T) {
	lockForTwoCPUs(t)
	var p Pool
	putOn0 := func(n int) {
		onCPU(t, 0, func() {
			for range n {
				p.Put(new([64]byte))
			}
		})
	}
	putOn0(16)
	onCPU(t, 1, func() {
		for range 16 {
			p.Get()
		}
	})
	if p.Stats().Collects == 0 {
		t.Skip("CPU 0 and CPU 1 share a stack index here (mm_cid kept the thread's id): nothing to collect")
	}
	// Hold the cycle still while the second round runs: the refusal is
	// what this part checks.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	putOn0(4)
	cycle := gcCycles.Load()
	onCPU(t, 1, func() { p.Get() })
	if gcCycles.Load() == cycle && p.Stats().Collects != 1 {
		t.Fatalf("a second collect ran in the same GC cycle: %+v", p.Stats())
	}
	runtime.GC()
	for gcCycles.Load() == cycle {
		runtime.Gosched() // wait for the hook of that cycle
	}
	putOn0(4)
	onCPU(t, 1, func() {
		if p.Get() == nil {
			t.Fatalf("Get on CPU 1 missed after a GC cycle with values cached on CPU 0: %+v", p.Stats())
		}
	})
}

// lockForTwoCPUs skips a test that moves one thread between CPU 0 and CPU
// 1 where that cannot show anything, and locks the goroutine to its thread
// until the test ends.
func lockForTwoCPUs(t *testing.T) {
	t.Helper()
	if !rseq.Enabled() {
		t.Skip("per-CPU stacks need rseq: " + rseq.Status().Reason)
	}
	if raceEnabled {
		t.Skip("the race detector drops a share of Puts on purpose")
	}
	if runtime.NumCPU() < 2 {
		t.Skip("needs two CPUs")
	}
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
}

// TestPoolStackShrinksWhenLeftMostlyEmpty grows a pool's stack on one CPU
// with a burst, then keeps the pool in light use (five values) across GC
// cycles: the stack halves at every second cycle while at most a quarter
// full, down to 16 slots, and no value is lost on the way.
func TestPoolStackShrinksWhenLeftMostlyEmpty(t *testing.T) {
	if !rseq.Enabled() {
		t.Skip("per-CPU stacks need rseq: " + rseq.Status().Reason)
	}
	if raceEnabled {
		t.Skip("the race detector drops a share of Puts on purpose")
	}
	defer pinToOneCPU(t)()
	var p Pool
	burst := make([]any, 100)
	for i := range burst {
		burst[i] = new([64]byte)
		p.Put(burst[i])
	}
	if st := p.Stats(); st.PerCPULimit < 100 {
		most, total := PerCPUMemory()
		t.Fatalf("a burst of 100 did not grow the stack: %+v (per-CPU bytes of all pools: %d on the fullest CPU, %d in all)", st, most, total)
	}
	for i := range burst {
		if burst[i] = p.Get(); burst[i] == nil {
			t.Fatalf("Get %d of the burst missed", i)
		}
	}
	light := burst[:5] // the program now holds the rest
	for _, v := range light {
		p.Put(v)
	}
	for cycle := 0; cycle < 10; cycle++ {
		collect(t)
		p.Put(p.Get()) // in use: not released
	}
	st := p.Stats()
	t.Logf("%+v", st)
	if st.Shrinks == 0 || st.PerCPULimit != 16 {
		t.Errorf("a stack holding 5 values after a burst of 100: %d shrinks, limit %d, want limit 16", st.Shrinks, st.PerCPULimit)
	}
	got := map[any]bool{}
	for range light {
		v := p.Get()
		if v == nil {
			t.Fatalf("lost a value while shrinking: %+v", p.Stats())
		}
		got[v] = true
	}
	for _, v := range light {
		if !got[v] {
			t.Fatalf("value %p not handed back after the shrinks", v)
		}
	}
}

// TestBuffersClassesGrowForBursts runs bursts of Gets then Puts on one CPU
// in two Buffers classes, the smallest and a larger one: each class's stack
// starts at StartPerCPU and must grow until a burst fits, after which the
// bursts of both make no depot moves; and a class whose byte bound is
// smaller than a burst grows only to that bound.
func TestBuffersClassesGrowForBursts(t *testing.T) {
	if !rseq.Enabled() {
		t.Skip("per-CPU stacks need rseq: " + rseq.Status().Reason)
	}
	if raceEnabled {
		t.Skip("the race detector drops a share of Puts on purpose")
	}
	defer pinToOneCPU(t)()
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no shrinking between rounds
	const burst = 48
	sizes := []int{MinBuffer, 4 << 10} // 256 KiB per class per CPU holds 64 of 4 KiB
	var p Buffers
	bursts := func(rounds int) {
		held := make([][]byte, burst)
		for range rounds {
			for _, size := range sizes {
				for i := range held {
					held[i] = p.Get(size)
				}
				for _, b := range held {
					p.Put(b)
				}
			}
		}
	}
	bursts(20)
	before := p.Stats()
	bursts(20)
	after := p.Stats()
	t.Logf("grows %d, per-CPU limit %d, %d bytes; depot batches in %d→%d, out %d→%d",
		after.Grows, after.PerCPULimit, after.PerCPUBytes, before.DepotIn, after.DepotIn, before.DepotOut, after.DepotOut)
	c := p.c.Load()
	for _, size := range sizes {
		if _, _, limit := c.stack(classOf(size)).Footprint(); limit < burst {
			t.Errorf("class of %d B: stack grew to %d, not to a burst of %d", size, limit, burst)
		}
	}
	if after.DepotIn != before.DepotIn || after.DepotOut != before.DepotOut {
		t.Errorf("grown stacks still went to the depot: batches in %d→%d, out %d→%d", before.DepotIn, after.DepotIn, before.DepotOut, after.DepotOut)
	}

	// 16 KiB: the byte bound allows 16 per CPU, fewer than a burst.
	const big = 16 << 10
	held := make([][]byte, burst)
	for range 20 {
		for i := range held {
			held[i] = p.Get(big)
		}
		for _, b := range held {
			p.Put(b)
		}
	}
	if _, _, limit := c.stack(classOf(big)).Footprint(); limit != perCPUBytes/big {
		t.Errorf("class of %d B grew to %d per CPU; its byte bound is %d", big, limit, perCPUBytes/big)
	}
}
