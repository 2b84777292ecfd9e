package slab

import (
	"testing"

	"github.com/gorseq/percpu/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Run(m) }

// newTest returns an Allocator closed when the test ends.
func newTest(t testing.TB, opts Options) *Allocator {
	t.Helper()
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// skipIfProtect skips tests that rely on a freed object being reused at
// once, which protect mode (forced by PERCPU_SLAB_DEBUG=protect) prevents.
func skipIfProtect(t *testing.T, a *Allocator) {
	t.Helper()
	if a.debug != nil && a.debug.protect {
		t.Skipf("%s=protect keeps freed spans out of use", EnvDebug)
	}
}

// mustPanic runs f and returns the message it panicked with, failing the
// test if it did not panic.
func mustPanic(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("no panic")
		}
		switch v := r.(type) {
		case string:
			msg = v
		case error:
			msg = v.Error()
		default:
			t.Fatalf("panic with %T %v", r, r)
		}
	}()
	f()
	return ""
}
