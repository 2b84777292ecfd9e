package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The generated file in the repository is what loopgen writes now: a
// changed loop or a new pool contender needs go generate.
func TestGeneratedFileIsCurrent(t *testing.T) {
	dir := filepath.Join("..", "..")
	want, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, outputName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go generate in cmd/allocbench", outputName)
	}
}

func TestPackageName(t *testing.T) {
	for path, want := range map[string]string{"runtime": "runtime", "math/rand/v2": "rand", "sync/atomic": "atomic"} {
		if got := packageName(path); got != want {
			t.Errorf("packageName(%q) = %q, want %q", path, got, want)
		}
	}
}

// A loop's copy keeps its body and parameters, and a loop whose first
// parameter is not p Pool is refused.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("contender_a.go", "package main\n\ntype aPool struct{}\n\nfunc (p *aPool) Get() *Item { return nil }\nfunc (p *aPool) Put(*Item) {}\n")
	write("work.go", "package main\n\nimport (\n\t\"runtime\"\n\t\"strings\"\n)\n\n//allocbench:loop\nfunc spin(p Pool, n, k int) {\n\tfor range n { // a comment\n\t\tp.Put(p.Get())\n\t}\n\truntime.GC()\n}\n\nvar _ = strings.Cut\n")
	src, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"type spinLooper interface{ spin(n, k int) }",
		"func runSpin(p Pool, n, k int) {",
		"l.spin(n, k)",
		"spin(p, n, k)",
		"func (p *aPool) spin(n, k int) {",
		"for range n { // a comment",
		"import (\n\t\"runtime\"\n)", // what the loop uses, not all its file imports
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}
	write("work.go", "package main\n\n//allocbench:loop\nfunc drain(p BufferPool) {}\n")
	if _, err := generate(dir); err == nil || !strings.Contains(err.Error(), "no contender type implements BufferPool") {
		t.Errorf("a BufferPool loop without buffer pools: %v", err)
	}
	write("contender_b.go", "package main\n\ntype bPool struct{}\n\nfunc (p bPool) GetBytes(n int) []byte { return nil }\n")
	if src, err := generate(dir); err != nil || !strings.Contains(string(src), "func (p bPool) drain() {") || strings.Contains(string(src), "func (p *aPool) drain") {
		t.Errorf("a BufferPool loop: %v\n%s", err, src)
	}
	write("work.go", "package main\n\n//allocbench:loop\nfunc spin(q Pool, n int) {}\n")
	if _, err := generate(dir); err == nil || !strings.Contains(err.Error(), "p Pool or p BufferPool") {
		t.Errorf("a loop without p Pool: %v", err)
	}
}
