package rseq

import (
	"runtime"
	"testing"
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
// collections run, and fails on a call that moved a value with the
// collector marking throughout, or unless it saw calls of each path both
// ways (stresstest.CheckGated). (A push missed by the collector
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
	stresstest.CheckGated(t, []stresstest.GatedPath{
		{Name: "PushPointers/PopPointers",
			Push: func() bool { return arch.PushPointers(d, unsafe.Pointer(v), nil) == arch.Committed },
			Pop:  func() bool { p, _, st := arch.PopPointers(d); return st == arch.Committed && p != nil }},
		{Name: "PushAny/PopAny",
			Push: func() bool { return stored(func() { arch.PushAny(root, v) }) },
			Pop:  func() bool { return stored(func() { arch.PopAny(root) }) }},
		{Name: "PushOf/PopOf",
			Push: func() bool { return stored(func() { arch.PushOf(typed, any(v)) }) },
			Pop: func() bool {
				var out unsafe.Pointer
				return stored(func() { arch.PopOf(typed, unsafe.Pointer(&out)) })
			}},
	})
}
