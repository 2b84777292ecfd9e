package arch

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/gorseq/percpu/internal/procpin"
)

// typedRoot is a TypedPool for the tests: its first word is the holder,
// and its methods count the misses.
type typedRoot struct {
	holder       *AnyHolder
	pops, pushes int
	missValue    uintptr // what GetInto stores: a word
	pushed       any
	missAddr     unsafe.Pointer
}

func (r *typedRoot) GetInto(out unsafe.Pointer) {
	r.pops++
	r.missAddr = out
	*(*uintptr)(out) = r.missValue
}

func (r *typedRoot) PutAny(x any) { r.pushes++; r.pushed = x }

// TestTypedPrivatePath: PushOf and PopOf through a holder with no
// descriptor move each layout's words through the calling P's private
// part, as entries in the layout's words, and back into a variable of the
// type; a value with no data pointer, a holder with no paths and an empty
// part go to the misses, a PopOf's miss storing through the same out.
func TestTypedPrivatePath(t *testing.T) {
	runtime.LockOSThread() // one P throughout, as far as the test looks
	defer runtime.UnlockOSThread()
	pinUnmarked() // and no other goroutine on it, nor a collection: the calls below do not yield
	defer procpin.Unpin()

	var holder AnyHolder
	r := &typedRoot{holder: &holder, missValue: 42}
	var w uintptr
	PopOf(r, unsafe.Pointer(&w))
	if w != 42 || r.pops != 1 || r.missAddr != unsafe.Pointer(&w) {
		t.Fatalf("pop with no path: %d, %d misses, want the miss path's 42 stored at out", w, r.pops)
	}
	holder.Private = newParts(64, 4)
	if ok, _ := PrivateAvailable(); !ok {
		PushOf(r, any(&w))
		if r.pushes != 1 {
			t.Fatalf("a push where the private sections do not work: %d misses, want 1", r.pushes)
		}
		return
	}

	// check pushes x with layout l, wants the entry want in the part,
	// pops it into a fresh T and wants x back.
	part := mine(holder.Private)
	check := func(name string, l uintptr, push func(), want Entry, pop func() bool) {
		t.Helper()
		holder.Layout = l
		r.pushes, r.pops = 0, 0
		push()
		if r.pushes != 0 || part.N != 1 {
			t.Fatalf("%s: push missed %d times, the part holds %d", name, r.pushes, part.N)
		}
		if got := part.Slots[0]; got != want {
			t.Fatalf("%s: entry %+v, want %+v", name, got, want)
		}
		if !pop() || r.pops != 0 || part.N != 0 || part.Slots[0].P != nil || part.Slots[0].Aux != nil {
			t.Fatalf("%s: pop missed %d times or returned another value; the part holds %d, slot %+v", name, r.pops, part.N, part.Slots[0])
		}
	}
	marker := unsafe.Pointer(&InlineMarker)

	p := new([64]byte)
	check("pointer", LayoutPointer, func() { PushOf(r, any(p)) }, Entry{P: unsafe.Pointer(p)}, func() bool {
		var got *[64]byte
		PopOf(r, unsafe.Pointer(&got))
		return got == p
	})
	s := make([]byte, 5, 9)
	check("slice", LayoutSlice, func() { PushOf(r, any(s)) }, Entry{P: unsafe.Pointer(&s[0]), N0: 5, N1: 9}, func() bool {
		var got []byte
		PopOf(r, unsafe.Pointer(&got))
		return len(got) == 5 && cap(got) == 9 && &got[0] == &s[0]
	})
	str := string(make([]byte, 7))
	check("string", LayoutString, func() { PushOf(r, any(str)) }, Entry{P: unsafe.Pointer(unsafe.StringData(str)), N0: 7}, func() bool {
		var got string
		PopOf(r, unsafe.Pointer(&got))
		return len(got) == 7 && unsafe.StringData(got) == unsafe.StringData(str)
	})
	n := uintptr(1 << 30)
	check("word", LayoutWord, func() { PushOf(r, any(n)) }, Entry{P: marker, N0: n}, func() bool {
		var got uintptr
		PopOf(r, unsafe.Pointer(&got))
		return got == n
	})
	two := [2]uintptr{3, 1 << 30}
	check("two words", LayoutTwoWords, func() { PushOf(r, any(two)) }, Entry{P: marker, N0: 3, N1: 1 << 30}, func() bool {
		var got [2]uintptr
		PopOf(r, unsafe.Pointer(&got))
		return got == two
	})
	var e any = p
	words := *(*[2]unsafe.Pointer)(unsafe.Pointer(&e))
	check("interface", LayoutEface, func() { PushOf(r, e) }, Entry{Aux: words[0], P: words[1]}, func() bool {
		var got any
		PopOf(r, unsafe.Pointer(&got))
		return got == e
	})

	// What has no data pointer goes to the miss path, whatever the layout.
	for _, c := range []struct {
		layout uintptr
		x      any
	}{
		{LayoutPointer, (*int)(nil)}, {LayoutSlice, []byte(nil)}, {LayoutString, ""}, {LayoutEface, nil},
	} {
		holder.Layout = c.layout
		r.pushes = 0
		PushOf(r, c.x)
		if r.pushes != 1 || part.N != 0 {
			t.Fatalf("layout %d: a value with no data pointer: %d misses, the part holds %d", c.layout, r.pushes, part.N)
		}
	}
	// An empty part: the miss path's value, through out.
	holder.Layout = LayoutSlice
	r.pops = 0
	var got [3]uintptr
	PopOf(r, unsafe.Pointer(&got))
	if r.pops != 1 || got[0] != 42 || r.missAddr != unsafe.Pointer(&got) {
		t.Fatalf("pop from an empty part: %d misses, %v", r.pops, got)
	}
}
