package alloc

import (
	"math"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"unsafe"

	"github.com/gorseq/percpu/slab"
)

type point struct {
	X, Y float64
	ID   int32
}

func TestArenaNewAndMakeSlice(t *testing.T) {
	var a Arena
	defer a.Free()
	const n = 5000 // many chunks
	points := make([]*point, n)
	for i := range points {
		p := New[point](&a)
		if *p != (point{}) {
			t.Fatalf("New returned a non-zero value: %+v", *p)
		}
		if uintptr(unsafe.Pointer(p))%unsafe.Alignof(*p) != 0 {
			t.Fatalf("New returned a misaligned %p", p)
		}
		p.X, p.ID = float64(i), int32(i)
		points[i] = p
	}
	small := MakeSlice[uint16](&a, 3, 10)
	big := MakeSlice[int64](&a, 100000, 100000) // a block of its own
	if len(small) != 3 || cap(small) != 10 || len(big) != 100000 {
		t.Fatalf("MakeSlice: len %d cap %d, len %d", len(small), cap(small), len(big))
	}
	for i := range big {
		if big[i] != 0 {
			t.Fatalf("MakeSlice returned non-zero memory at %d", i)
		}
		big[i] = int64(i)
	}
	for i, p := range points {
		if p.X != float64(i) || p.ID != int32(i) {
			t.Fatalf("value %d was overwritten: %+v", i, *p)
		}
	}
	if big[99999] != 99999 {
		t.Fatal("the big slice was overwritten")
	}
	if z1, z2 := New[struct{}](&a), New[struct{}](&a); z1 == nil || z2 == nil {
		t.Fatal("New of a zero-size type returned nil")
	}
	if s := MakeSlice[byte](&a, 0, 0); s == nil || len(s) != 0 {
		t.Fatalf("MakeSlice(0, 0) = %#v, want an empty non-nil slice", s)
	}
}

// TestArenaSurvivesGC: the collector neither scans nor frees arena memory.
func TestArenaSurvivesGC(t *testing.T) {
	var a Arena
	defer a.Free()
	vals := make([]*[4]int64, 1000)
	for i := range vals {
		vals[i] = New[[4]int64](&a)
		vals[i][3] = int64(i)
	}
	runtime.GC()
	runtime.GC()
	for i, v := range vals {
		if v[3] != int64(i) {
			t.Fatalf("value %d changed across collections: %v", i, *v)
		}
	}
}

func TestArenaRefusesPointers(t *testing.T) {
	type node struct {
		Val  int
		Next *node
	}
	var a Arena
	defer a.Free()
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"New[node]", func() { New[node](&a) }, "alloc.node"},
		{"MakeSlice[string]", func() { MakeSlice[string](&a, 1, 1) }, "string"},
		{"New[[2][]byte]", func() { New[[2][]byte](&a) }, "[2][]uint8"},
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, c.want) {
					t.Errorf("%s: panic %q, want one naming %s", c.name, msg, c.want)
				}
			}()
			c.f()
		}()
	}
}

func TestArenaMakeSliceBadSizes(t *testing.T) {
	var a Arena
	defer a.Free()
	for _, lc := range [][2]int{{-1, 0}, {2, 1}, {0, -1}, {0, math.MaxInt}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MakeSlice(%d, %d) did not panic", lc[0], lc[1])
				}
			}()
			MakeSlice[int64](&a, lc[0], lc[1])
		}()
	}
}

// TestArenaReuseAllocatesNothing: a request's worth of New, MakeSlice and
// Free allocates nothing on the Go heap once the slab's caches are warm.
func TestArenaReuseAllocatesNothing(t *testing.T) {
	var a Arena
	request := func() {
		for range 1000 {
			New[point](&a)
		}
		MakeSlice[byte](&a, 512, 512)
		a.Free()
	}
	request()
	if n := testing.AllocsPerRun(20, request); n > 0 {
		t.Fatalf("%v Go allocations per arena request", n)
	}
}

// TestArenaUseAfterFreeFaults: with the slab in protect mode, touching
// arena memory after Free faults.
func TestArenaUseAfterFreeFaults(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the slab protects freed memory with mprotect, on Linux")
	}
	s, err := slab.New(slab.Options{Debug: slab.DebugProtect})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := Arena{Slab: s}
	p := New[point](&a)
	big := MakeSlice[byte](&a, 1<<20, 1<<20)
	p.ID, big[0] = 1, 1
	a.Free()
	for name, touch := range map[string]func(){
		"chunk": func() { p.ID = 2 },
		"block": func() { big[0] = 2 },
	} {
		func() {
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			defer func() {
				if _, ok := recover().(runtime.Error); !ok {
					t.Errorf("a write to freed arena memory (%s) did not fault", name)
				}
			}()
			touch()
		}()
	}
}

// TestArenaTypeCheckCollisionAllocatesNothing evicts point's verdict from
// its cache slot before every New, as a type whose descriptor shares the
// slot would: the check must still allocate nothing. (A layout change once
// put point and byte in one slot, and every arena request allocated.)
func TestArenaTypeCheckCollisionAllocatesNothing(t *testing.T) {
	var a Arena
	defer a.Free()
	New[point](&a)
	typ := reflect.TypeFor[point]()
	key := (*eface)(unsafe.Pointer(&typ)).data
	slot := &verdicts[uintptr(key)>>4%uintptr(len(verdicts))]
	intruder := &typeVerdict{typ: unsafe.Pointer(&a)} // any other key
	if n := testing.AllocsPerRun(100, func() {
		slot.Store(intruder)
		New[point](&a)
	}); n > 0 {
		t.Fatalf("%v Go allocations per New after a cache collision", n)
	}
}
