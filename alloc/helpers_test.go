package alloc

import (
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

// hooked is a pool that lives as long as the test binary, so the GC hook
// stays armed even when every pool a test made has been collected.
var hooked Pool

func init() { hooked.Get() } // creates its cache (a Put may be dropped under -race)

// collect runs a GC and waits until the pools' GC hook has handled it: a
// hook has run after the cycle this collect started ended. A test counting
// cycles (gc_test.go) gets exactly one per collect, provided nothing else
// starts one (see onlyExplicitCollections).
//
// It first waits for the hook of any cycle that ended before it was
// called, as one a previous test's runtime.GC left pending: that hook,
// running late, would otherwise see this test's first calls and place them
// a cycle too early, or arm its sentinel while this collect's cycle marks,
// and that sentinel would outlive the cycle. Such a hook runs at once or
// waits for another cycle (its sentinel was armed while a cycle marked), so
// the first wait makes cycles after a few milliseconds; they all end before
// the cycle this collect is for begins.
func collect(t testing.TB) {
	t.Helper()
	awaitHook(t, completedCycles(), 20)
	runtime.GC()
	awaitHook(t, completedCycles(), 5000)
}

// awaitHook waits until a hook has run after cycle n ended, running a
// collection every patience rounds of waiting.
func awaitHook(t testing.TB, n uint64, patience int) {
	t.Helper()
	for i := 0; hookSawCycles.Load() < n; i++ {
		// A stranded sentinel (see gcwatchdog.go) is re-armed by the
		// watchdog once two more cycles have passed: in a program,
		// collections go on; here, after a second and a half without the
		// hook (5000 rounds), make them.
		if i > 0 && i%patience == 0 {
			runtime.GC()
		}
		if i == 60000 {
			registry.mu.Lock()
			armed, m := registry.armed, len(registry.caches)
			registry.mu.Unlock()
			t.Fatalf("the pools' GC hook did not run after cycle %d (armed %v, %d caches, hooks saw %d cycles, generation %d armed, %d fired)",
				n, armed, m, hookSawCycles.Load(), armedGen.Load(), firedGen.Load())
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond)
	}
}

// onlyExplicitCollections turns off the collections the heap would start,
// for the rest of the test: a test that asserts what the third or fourth
// collection after a use does must know that no other came between (a
// previous test's garbage can start one).
func onlyExplicitCollections(t testing.TB) {
	old := debug.SetGCPercent(-1)
	t.Cleanup(func() { debug.SetGCPercent(old) })
}

// tracked records which of a set of values the collector has freed.
type tracked struct {
	mu    sync.Mutex
	freed map[int]bool
}

func newTracked() *tracked { return &tracked{freed: map[int]bool{}} }

// value returns a new heap value whose collection is recorded under id.
func (tr *tracked) value(id int) *[64]byte {
	v := &[64]byte{byte(id)}
	runtime.AddCleanup(v, tr.done, id)
	return v
}

func (tr *tracked) done(id int) {
	tr.mu.Lock()
	tr.freed[id] = true
	tr.mu.Unlock()
}

// await runs collections until every id in ids was freed, or twenty cycles
// have passed (a cleanup runs on its own goroutine, after the cycle that
// found its object unreachable), and returns the ids not freed.
func (tr *tracked) await(t testing.TB, ids map[int]bool, between func()) []int {
	t.Helper()
	var missing []int
	for cycle := 0; cycle < 20; cycle++ {
		if between != nil {
			between()
		}
		collect(t)
		time.Sleep(time.Millisecond)
		tr.mu.Lock()
		missing = missing[:0]
		for id := range ids {
			if !tr.freed[id] {
				missing = append(missing, id)
			}
		}
		tr.mu.Unlock()
		if len(missing) == 0 {
			return nil
		}
	}
	return missing
}
