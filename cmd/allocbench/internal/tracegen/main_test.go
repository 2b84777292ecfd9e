package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorseq/percpu/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Run(m) }

// The committed traces are what the generator writes: go generate was run
// after the last change to it.
func TestCommittedTracesAreFresh(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		name := tr.name + ".sizes"
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("testdata/%s is stale (%v): run go generate ./cmd/allocbench", name, err)
		}
	}
}
