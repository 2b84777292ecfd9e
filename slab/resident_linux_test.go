package slab

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rss returns the process's resident set in bytes, from /proc.
func rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize())
}

// residentPages counts the resident pages of [p, p+n) with mincore.
func residentPages(t *testing.T, p unsafe.Pointer, n uintptr) int {
	t.Helper()
	vec := make([]byte, (n+osPageSize-1)/osPageSize)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(p), n, uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatalf("mincore: %v", e)
	}
	count := 0
	for _, v := range vec {
		count += int(v & 1)
	}
	return count
}

// TestResidentFallsAfterRelease maps and touches 64 MiB through the
// allocator, frees it all, calls Release and reads the resident set from
// /proc: it must fall by most of the 64 MiB.
func TestResidentFallsAfterRelease(t *testing.T) {
	const total, size = 64 << 20, 4096
	a := newTest(t, Options{})
	// Keep the Go heap still while we measure.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	runtime.GC()
	objs := make([]unsafe.Pointer, 0, total/size)
	base := rss(t)
	for len(objs) < cap(objs) {
		p := a.Alloc(size)
		fillPattern(p, size, 7)
		objs = append(objs, p)
	}
	touched := rss(t)
	if grew := touched - base; grew < total*9/10 {
		t.Fatalf("touching %d MiB grew the resident set by only %d MiB", total>>20, grew>>20)
	}
	first := spanOf(uintptr(objs[0]))
	firstMem, firstBytes := first.pointer(), first.bytes() // the span struct is recycled when it goes
	for _, p := range objs {
		a.Free(p)
	}
	a.Release()
	after := rss(t)
	t.Logf("resident: %d MiB before, %d MiB touched, %d MiB after Release", base>>20, touched>>20, after>>20)
	if fell := touched - after; fell < total*3/4 {
		t.Errorf("Release lowered the resident set by %d MiB of %d", fell>>20, total>>20)
	}
	if n := residentPages(t, firstMem, firstBytes); n != 0 {
		t.Errorf("%d pages of the first span are still resident", n)
	}
	if st := a.Stats(); st.Resident != 0 || st.Released < total {
		t.Errorf("Stats: resident %d, released %d", st.Resident, st.Released)
	}
}
