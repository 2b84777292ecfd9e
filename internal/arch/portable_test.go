//go:build !linux || !(amd64 || arm64) || purego

package arch

import "testing"

// TestPortableTwin checks that every section of the portable twin reports
// Unavailable, so callers always take their fallback.
func TestPortableTwin(t *testing.T) {
	if Build() == nil {
		t.Fatal("Build succeeded without sections")
	}
	var d StackDesc
	var w [2]uintptr
	checks := map[string]Status{
		"CounterAdd":   CounterAdd(&d, 1),
		"PushWord":     PushWord(&d, 1),
		"PushEntry":    PushEntry(&d, nil, nil, 0, 0),
		"PushPointers": PushPointers(&d, nil, nil),
	}
	_, checks["PopWord"] = PopWord(&d)
	_, checks["PushWords"] = PushWords(&d, &w[0], 2)
	_, checks["PopWords"] = PopWords(&d, &w[0], 2)
	_, _, _, _, checks["PopEntry"] = PopEntry(&d)
	_, _, checks["PopPointers"] = PopPointers(&d)
	_, checks["CurrentIndex"] = CurrentIndex()
	_, checks["CurrentCPUID"] = CurrentCPUID()
	for name, st := range checks {
		if st != Unavailable {
			t.Errorf("%s = %v, want unavailable", name, st)
		}
	}
}
