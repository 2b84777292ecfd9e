package main

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// initPackage is the import path of the PID-1 program.
const initPackage = "github.com/gorseq/percpu/tools/kernelmatrix/initprog"

// testmainPackage is the harness that blocks rseq with seccomp when
// PERCPU_TEST_BLOCK_RSEQ asks.
const testmainPackage = "github.com/gorseq/percpu/internal/testmain"

// builder cross-compiles static linux binaries with the go command, from
// the module's root.
type builder struct {
	modRoot string
	outDir  string
}

// env is the environment of every build: no cgo, so the binaries are
// static and need nothing from the initramfs but themselves.
func (b builder) env(arch string) []string {
	return append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
}

// buildInit builds initprog for arch.
func (b builder) buildInit(arch string) (string, error) {
	out := filepath.Join(b.outDir, arch, "init")
	cmd := exec.Command("go", "build", "-o", out, initPackage)
	return out, b.run(cmd, arch, out)
}

// buildTest builds pkg's test binary for arch with go test -c.
func (b builder) buildTest(arch string, pkg testPackage) (string, error) {
	out := filepath.Join(b.outDir, arch, pkg.file())
	cmd := exec.Command("go", "test", "-c", "-o", out, pkg.Pattern)
	if err := b.run(cmd, arch, out); err != nil {
		return "", err
	}
	if _, err := os.Stat(out); err != nil {
		return "", fmt.Errorf("go test -c %s wrote no binary: does the package have tests?", pkg.Pattern)
	}
	return out, nil
}

func (b builder) run(cmd *exec.Cmd, arch, out string) error {
	cmd.Dir = b.modRoot
	cmd.Env = b.env(arch)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if _, err := run(cmd); err != nil {
		return fmt.Errorf("GOARCH=%s: %w", arch, err)
	}
	if _, err := os.Stat(out); err != nil {
		return nil // go test -c writes nothing for a package without tests
	}
	return checkStatic(out)
}

// checkStatic refuses a dynamically linked binary: the initramfs has no
// loader and no libraries.
func checkStatic(file string) error {
	f, err := elf.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked; the initramfs needs a static binary", file)
		}
	}
	return nil
}

// usesTestmain reports whether pkg's test binary links the seccomp harness,
// which is what makes the enosys and eperm modes mean anything.
func (b builder) usesTestmain(pkg testPackage) (bool, error) {
	cmd := exec.Command("go", "list", "-test", "-deps", "-f", "{{.ImportPath}}", pkg.Pattern)
	cmd.Dir = b.modRoot
	cmd.Env = b.env("amd64")
	out, err := run(cmd)
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(out, "\n") {
		if line == testmainPackage {
			return true, nil
		}
	}
	return false, nil
}

// moduleRoot finds the root of the module the runner was started in.
func moduleRoot() (string, error) {
	out, err := run(exec.Command("go", "env", "GOMOD"))
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(out)
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module: run kernelmatrix from the repository (go run ./tools/kernelmatrix)")
	}
	return filepath.Dir(gomod), nil
}
