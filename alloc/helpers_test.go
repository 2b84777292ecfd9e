package alloc

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// hooked is a pool that lives as long as the test binary, so the GC hook
// stays armed even when every pool a test made has been collected.
var hooked Pool

func init() { hooked.Get() } // creates its cache (a Put may be dropped under -race)

// collect runs a GC and waits until the pools' GC hook has handled it.
func collect(t testing.TB) {
	t.Helper()
	before := gcCycles.Load()
	runtime.GC()
	for i := 0; gcCycles.Load() == before; i++ {
		// A stranded sentinel (see gc.go) is re-armed by the watchdog once
		// two more cycles have passed: in a program, collections go on; here,
		// after a second and a half without the hook, make them.
		if i > 0 && i%5000 == 0 {
			runtime.GC()
		}
		if i == 60000 {
			registry.mu.Lock()
			armed, n := registry.armed, len(registry.caches)
			registry.mu.Unlock()
			t.Fatalf("the pools' GC hook did not run after a collection (armed %v, %d caches, %d cycles, generation %d armed, %d fired)",
				armed, n, gcCycles.Load(), armedGen.Load(), firedGen.Load())
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond)
	}
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
