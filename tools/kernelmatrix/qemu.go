package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// machine describes how qemu-system emulates one architecture. Only TCG
// works on the project's machines (KVM aborts), so every instruction is
// translated: tests run 10–50× slower than on the host.
type machine struct {
	Binary  string   // qemu-system-*
	Package string   // the Debian package that provides it
	Args    []string // machine and CPUs
	Console string   // the kernel's console device
}

var machines = map[string]machine{
	"amd64": {
		Binary:  "qemu-system-x86_64",
		Package: "qemu-system-x86",
		Args:    []string{"-M", "q35", "-cpu", "max", "-smp", "2"},
		Console: "ttyS0",
	},
	"arm64": {
		// -cpu max is three times slower unless pauth=off; cortex-a72 is
		// an ARMv8.0 CPU, enough for the rseq ABI.
		Binary:  "qemu-system-aarch64",
		Package: "qemu-system-arm",
		Args:    []string{"-M", "virt", "-cpu", "cortex-a72", "-smp", "2"},
		Console: "ttyAMA0",
	},
}

// qemuArgs is the whole command line of one boot with mem of RAM (qemu's
// -m syntax: 1G).
func (m machine) qemuArgs(image, initrd, mem string) []string {
	args := append([]string{"-accel", "tcg"}, m.Args...)
	return append(args,
		"-m", mem,
		"-kernel", image,
		"-initrd", initrd,
		"-append", "console="+m.Console+" panic=-1 quiet",
		"-nic", "none", // no network card (and on amd64 no iPXE ROM to wait for)
		"-nographic", "-no-reboot")
}

// bootResult is what a boot left: the console, and whether the host had to
// kill qemu. qemu's exit status says nothing about the test (a kernel
// panic with panic=-1 and -no-reboot exits 0), so it is not reported.
type bootResult struct {
	Console  []byte
	TimedOut bool
	Wall     time.Duration
}

// boot runs qemu until the guest powers off, or kills it after timeout.
// live, if not nil, sees the console as it is written.
func boot(m machine, image, initrd, mem string, timeout time.Duration, live io.Writer) (bootResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var console bytes.Buffer
	cmd := exec.CommandContext(ctx, m.Binary, m.qemuArgs(image, initrd, mem)...)
	cmd.Stdin = nil // /dev/null: no monitor input, no terminal to put in raw mode
	var out io.Writer = &console
	if live != nil {
		out = io.MultiWriter(&console, live)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	res := bootResult{Console: console.Bytes(), Wall: time.Since(start)}
	if ctx.Err() != nil {
		res.TimedOut = true
		return res, nil
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("%s: %w", m.Binary, err)
	}
	// A non-zero exit is qemu's own failure (a bad option, a missing
	// file); the console holds its message and no EXIT marker, so the
	// parser reports it.
	return res, nil
}
