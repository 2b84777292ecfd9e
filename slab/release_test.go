package slab

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"
)

// allocSpread allocates n objects of each size from g goroutines (so from
// several CPUs) and returns them.
func allocSpread(a *Allocator, g, n int, sizes ...uintptr) []unsafe.Pointer {
	var mu sync.Mutex
	var all []unsafe.Pointer
	var wg sync.WaitGroup
	for w := 0; w < g; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []unsafe.Pointer
			for i := 0; i < n; i++ {
				for _, size := range sizes {
					p := a.Alloc(size)
					*(*byte)(p) = 1
					mine = append(mine, p)
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all
}

// freeSpread frees objs from g goroutines.
func freeSpread(a *Allocator, g int, objs []unsafe.Pointer) {
	var wg sync.WaitGroup
	for w := 0; w < g; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(objs); i += g {
				a.Free(objs[i])
			}
		}()
	}
	wg.Wait()
}

// assertAllHome checks that every object is back in its span and every
// span returned: nothing lost, nothing cached.
func assertAllHome(t *testing.T, a *Allocator) {
	t.Helper()
	st := a.Stats()
	if st.InUse != 0 || st.Cached != 0 || st.Idle != 0 || st.Resident != 0 {
		t.Errorf("after Release: in use %d, cached %d, idle %d, resident %d bytes; want all 0", st.InUse, st.Cached, st.Idle, st.Resident)
	}
	for k := range a.classes {
		c := &a.classes[k].central
		if out, spans := c.out.Load(), c.spans.Load(); out != 0 || spans != 0 {
			t.Errorf("class %d (%d B): %d objects out of their spans, %d spans left", k, classes[k].size, out, spans)
		}
	}
	// Every page of every arena is free again.
	var pages uintptr
	for _, ar := range a.heap.arenas {
		pages += ar.size >> pageShift
	}
	free := a.heap.freePages()
	if a.debug != nil {
		free += a.debug.quarantinedPages() // released, kept out of use on purpose
	}
	if free != pages {
		t.Errorf("page heap: %d of %d pages free", free, pages)
	}
}

func TestReleaseReturnsEverything(t *testing.T) {
	a := newTest(t, Options{})
	g := 2 * runtime.GOMAXPROCS(0)
	// Many small objects, a few big ones: the test touches a byte of each,
	// and with transparent huge pages on that can make a whole 2 MiB page
	// resident per big object.
	objs := append(allocSpread(a, g, 500, 8, 64, 200, 3000), allocSpread(a, g, 8, 40000, 500000)...)
	if st := a.Stats(); st.InUse < int64(len(objs))*8 || st.Resident < st.InUse {
		t.Fatalf("with %d objects out: in use %d, resident %d", len(objs), st.InUse, st.Resident)
	}
	freeSpread(a, g, objs)
	if st := a.Stats(); st.InUse != 0 {
		t.Errorf("in use %d after freeing everything", st.InUse)
	}
	a.Release()
	assertAllHome(t, a)
	if st := a.Stats(); st.Released == 0 {
		t.Error("Released = 0")
	}
}

// TestIdleSpansReturnAfterDelay leaves spans idle and waits for the timer
// to return them; it asserts what happens, not how soon.
func TestIdleSpansReturnAfterDelay(t *testing.T) {
	a := newTest(t, Options{ReleaseDelay: 10 * time.Millisecond, CacheBytesPerCPU: -1})
	skipIfProtect(t, a)
	const size = 64 << 10 // 8 per span; the depot keeps a few, the rest go home
	var objs []unsafe.Pointer
	for i := 0; i < 64; i++ {
		objs = append(objs, a.Alloc(size))
	}
	for _, p := range objs {
		a.Free(p)
	}
	if st := a.Stats(); st.Idle == 0 {
		t.Fatalf("no idle spans after freeing %d objects: %+v", len(objs), st)
	}
	// The timer takes the spans off the idle list, then releases them:
	// wait for both.
	deadline := time.Now().Add(20 * time.Second)
	for st := a.Stats(); st.Idle != 0 || st.Released < 6*8*size; st = a.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("idle spans never returned: idle %d bytes, released %d", st.Idle, st.Released)
		}
		time.Sleep(time.Millisecond)
	}
	// Reuse after release works (the pages come back zeroed).
	p := a.Alloc(size)
	fillPattern(p, size, 1)
	a.Free(p)
}

func TestNegativeReleaseDelayKeepsIdleSpans(t *testing.T) {
	a := newTest(t, Options{ReleaseDelay: -1, CacheBytesPerCPU: -1})
	skipIfProtect(t, a)
	var objs []unsafe.Pointer
	for i := 0; i < 64; i++ {
		objs = append(objs, a.Alloc(64<<10))
	}
	for _, p := range objs {
		a.Free(p)
	}
	if a.scav.timer != nil {
		t.Error("a timer was armed with ReleaseDelay < 0")
	}
	a.Release()
	assertAllHome(t, a)
}

// TestSelfDrainWithoutFence makes Release's drain fail, as it does where
// there is no fence, and checks that the CPUs then drain themselves.
func TestSelfDrainWithoutFence(t *testing.T) {
	a := newTest(t, Options{})
	skipIfProtect(t, a)
	a.drain = func(func(int, []uintptr)) error { return errors.New("no fence") }
	g := 4 * runtime.GOMAXPROCS(0)
	freeSpread(a, g, allocSpread(a, g, 300, 16, 256))
	if a.cachedObjects() == 0 {
		t.Skip("nothing cached per CPU to drain")
	}
	a.Release()
	if !a.Stats().SelfDrainPending {
		t.Fatal("Release without a fence did not ask for a self-drain")
	}
	// Operations on every CPU (and from goroutines on every P, for the
	// fallback's shards) drain the caches.
	for round := 0; a.Stats().SelfDrainPending; round++ {
		if round == 1000 {
			t.Fatalf("still %d objects cached after %d rounds", a.cachedObjects(), round)
		}
		onEveryCPU(func() { a.Free(a.Alloc(16)) })
		freeSpread(a, g, allocSpread(a, g, 1, 16))
	}
	a.drain = a.stacks.Drain
	a.Release()
	assertAllHome(t, a)

	// A Release that fences ends a pending self-drain at once.
	a.drain = func(func(int, []uintptr)) error { return errors.New("no fence") }
	a.Release()
	a.drain = a.stacks.Drain
	a.Release()
	if a.Stats().SelfDrainPending {
		t.Error("a Release with a working fence left the self-drain pending")
	}
}
