// Package failing holds a test that always fails. kernelmatrix
// -selftest-fail runs it through the whole path (build, initramfs, boot,
// console parser) to show that a failing test comes out FAIL and makes the
// runner exit non-zero. It lives under testdata so that go test ./... never
// runs it.
package failing

import "testing"

func TestAlwaysFails(t *testing.T) {
	t.Log("status: this line imitates TestModeMatchesEnvironment's")
	t.Fatal("this test always fails, on purpose: kernelmatrix -selftest-fail expects a FAIL")
}
