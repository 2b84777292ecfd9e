package slab

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"unsafe"
)

func TestDebugCatchesDoubleFree(t *testing.T) {
	for _, mode := range []DebugMode{DebugChecks, DebugProtect} {
		a := newTest(t, Options{Debug: mode})
		p := a.Alloc(40)
		q := a.Alloc(40)
		a.Free(p)
		if msg := mustPanic(t, func() { a.Free(p) }); !strings.Contains(msg, "double free of object") {
			t.Errorf("mode %d: second Free: %q", mode, msg)
		}
		big := a.Alloc(1 << 20)
		a.Free(big)
		if msg := mustPanic(t, func() { a.Free(big) }); !strings.Contains(msg, "double free of large object") {
			t.Errorf("mode %d: second Free of a large object: %q", mode, msg)
		}
		a.Free(q) // still works
	}
}

func TestDebugCatchesForeignFree(t *testing.T) {
	a := newTest(t, Options{Debug: DebugChecks})
	other := newTest(t, Options{Debug: DebugChecks})
	p := a.Alloc(64)
	if msg := mustPanic(t, func() { a.Free(unsafe.Pointer(new([64]byte))) }); !strings.Contains(msg, "not allocated by this slab") {
		t.Errorf("Go pointer: %q", msg)
	}
	if msg := mustPanic(t, func() { other.Free(p) }); !strings.Contains(msg, "belongs to another Allocator") {
		t.Errorf("other Allocator's object: %q", msg)
	}
	if msg := mustPanic(t, func() { a.Free(unsafe.Add(p, 16)) }); !strings.Contains(msg, "interior pointer") {
		t.Errorf("interior pointer: %q", msg)
	}
	a.Free(p)
}

// TestDebugCatchesWriteAfterFree writes into a freed object; the next
// Alloc of it finds the poison broken.
func TestDebugCatchesWriteAfterFree(t *testing.T) {
	a := newTest(t, Options{Debug: DebugChecks, CacheBytesPerCPU: -1}) // LIFO: the same object comes back
	skipIfProtect(t, a)
	p := a.Alloc(100)
	a.Free(p)
	*(*byte)(unsafe.Add(p, 17)) = 0x42
	msg := mustPanic(t, func() { a.Alloc(100) })
	if !strings.Contains(msg, "was written after it was freed: byte 17 is 0x42") {
		t.Errorf("Alloc after a write to freed memory: %q", msg)
	}
}

// TestDebugProtectFaultsOnUseAfterFree touches freed memory in protect
// mode: the access itself faults.
func TestDebugProtectFaultsOnUseAfterFree(t *testing.T) {
	if osPageSize > pageSize {
		t.Skipf("OS pages of %d bytes cannot protect %d-byte pages", osPageSize, pageSize)
	}
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("no mprotect for arenas here")
	}
	a := newTest(t, Options{Debug: DebugProtect})
	big := a.Alloc(1 << 20)
	a.Free(big)
	expectFault(t, big)

	// A whole span of 4 KiB objects (8 per span), freed: the span is
	// inaccessible.
	var objs []unsafe.Pointer
	for i := 0; i < 8; i++ {
		objs = append(objs, a.Alloc(4096))
	}
	s := spanOf(uintptr(objs[0]))
	for _, p := range objs {
		if spanOf(uintptr(p)) != s {
			t.Fatal("the 8 objects are not in one span")
		}
	}
	for _, p := range objs {
		a.Free(p)
	}
	expectFault(t, unsafe.Add(objs[3], 100))
	if msg := mustPanic(t, func() { a.Free(objs[5]) }); !strings.Contains(msg, "double free") {
		t.Errorf("Free into a quarantined span: %q", msg)
	}
}

// expectFault reads p and checks that the read faults.
func expectFault(t *testing.T, p unsafe.Pointer) {
	t.Helper()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		e, ok := r.(interface{ Addr() uintptr })
		if !ok {
			t.Fatalf("read of freed memory at %p did not fault (recovered %v)", p, r)
		}
		if e.Addr() != uintptr(p) {
			t.Errorf("fault at %#x, want %p", e.Addr(), p)
		}
	}()
	_ = *(*volatileByte)(p)
}

// volatileByte keeps the compiler from dropping the read.
type volatileByte struct{ b byte }

func TestDebugFromEnvironment(t *testing.T) {
	t.Setenv(EnvDebug, "1")
	a := newTest(t, Options{})
	if a.debug == nil || a.debug.protect {
		t.Errorf("%s=1: debug %+v", EnvDebug, a.debug)
	}
	t.Setenv(EnvDebug, "protect")
	if a := newTest(t, Options{}); a.debug == nil || !a.debug.protect {
		t.Errorf("%s=protect: debug %+v", EnvDebug, a.debug)
	}
	t.Setenv(EnvDebug, "yes please")
	if _, err := New(Options{}); err == nil || !strings.Contains(err.Error(), EnvDebug) {
		t.Errorf("%s=%q: error %v", EnvDebug, "yes please", err)
	}
	t.Setenv(EnvDebug, "")
	if a := newTest(t, Options{}); (a.debug != nil) != debugBuild {
		t.Errorf("no debug asked for, debugBuild %v: debug %+v", debugBuild, a.debug)
	}
}
