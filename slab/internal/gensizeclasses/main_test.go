package main

import (
	"bytes"
	"go/format"
	"os"
	"testing"

	"github.com/gorseq/percpu/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Run(m) }

// TestGeneratedFileIsCurrent fails when sizeclasses.go differs from what
// the generator writes now: run go generate ./slab.
func TestGeneratedFileIsCurrent(t *testing.T) {
	classes := makeClasses()
	if err := check(classes); err != nil {
		t.Fatal(err)
	}
	want, err := format.Source(render(classes))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../sizeclasses.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("slab/sizeclasses.go is stale: run go generate ./slab")
	}
}
