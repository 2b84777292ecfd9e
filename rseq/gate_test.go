package rseq

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/stresstest"
)

// gateTyped is an arch.TypedPool for TestSectionsStoreOnlyWithTheBarrierOffGC:
// its first word is the holder, and its methods count the misses.
type gateTyped struct {
	holder *arch.AnyHolder
	misses int
}

func (g *gateTyped) GetInto(out unsafe.Pointer) { g.misses++ }
func (g *gateTyped) PutAny(x any)               { g.misses++ }

// TestSectionsStoreOnlyWithTheBarrierOffGC: the sections store and clear
// Go pointers without write barriers, so none that moves a pointer may
// commit while the collector marks (the marking protocol, in Go, serves
// those calls). It calls the pointer sections on a descriptor, and the
// interface and typed sections on a holder with that descriptor, while
// collections run, each between two readings of the write barrier
// (stresstest.MarkedThroughout), and fails on a call that moved a value
// with the barrier on throughout. It also fails unless some calls of each
// ran that way and others committed. (A push missed by the collector
// needs a goroutine whose stack is still unscanned to drop the value, a
// window the ownership stresses under gccheckmark do not hit for the
// pushes: this test watches the gate itself.)
func TestSectionsStoreOnlyWithTheBarrierOffGC(t *testing.T) {
	runtime.LockOSThread() // the thread the first Push registers
	defer runtime.UnlockOSThread()
	s := NewEntryStacks([]int{64})
	d := s.Desc(0)
	if d == nil {
		t.Skip("no sections in this process")
	}
	v := new([64]byte)
	if !s.Push(0, Entry{P: unsafe.Pointer(v)}) { // registers the thread
		t.Fatal("the first push failed")
	}
	s.Pop(0)
	holder := &arch.AnyHolder{Desc: d, Layout: arch.LayoutPointer}
	root := &arch.AnyRoot{Holder: holder}
	typed := &gateTyped{holder: holder}
	missed := 0
	arch.SetAnyMisses(func(*arch.AnyRoot) any { missed++; return nil }, func(*arch.AnyRoot, any) { missed++ })
	defer arch.SetAnyMisses(nil, nil) // as this test binary had them: no pool registers any
	stored := func(call func()) bool { n := missed + typed.misses; call(); return missed+typed.misses == n }
	paths := []struct {
		name      string
		push, pop func() bool // whether the call moved the value
	}{
		{"PushPointers/PopPointers",
			func() bool { return arch.PushPointers(d, unsafe.Pointer(v), nil) == arch.Committed },
			func() bool { p, _, st := arch.PopPointers(d); return st == arch.Committed && p != nil }},
		{"PushAny/PopAny",
			func() bool { return stored(func() { arch.PushAny(root, v) }) },
			func() bool { return stored(func() { arch.PopAny(root) }) }},
		{"PushOf/PopOf",
			func() bool { return stored(func() { arch.PushOf(typed, any(v)) }) },
			func() bool {
				var out unsafe.Pointer
				return stored(func() { arch.PopOf(typed, unsafe.Pointer(&out)) })
			}},
	}
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	var ds stresstest.Disturbers
	ds.Start(stresstest.CollectGarbage(200*time.Microsecond, 1024))
	defer ds.Stop()
	for _, path := range paths {
		var gated, moved int
		for i := 0; i < 1_000_000 && (gated < 20 || moved < 20); i++ {
			for _, call := range []func() bool{path.push, path.pop} {
				var ok bool
				if stresstest.MarkedThroughout(func() { ok = call() }) {
					if ok {
						t.Fatalf("%s moved a value while the collector marked", path.name)
					}
					gated++
				} else if ok {
					moved++
				}
			}
		}
		t.Logf("%s: %d calls while marking, %d moved", path.name, gated, moved)
		if gated < 20 || moved < 20 {
			t.Fatalf("%s: %d calls while marking and %d that moved a value, want 20 of each", path.name, gated, moved)
		}
	}
}
