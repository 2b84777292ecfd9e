// Package testmain is the TestMain of every package in this module. It
// checks for goroutine leaks, and when PERCPU_TEST_BLOCK_RSEQ names an errno
// (ENOSYS or EPERM) it blocks rseq(2) with seccomp and re-executes the test
// binary, so that even glibc's start-up registration and the library's
// init-time detection see a kernel that refuses restartable sequences.
package testmain

import (
	"fmt"
	"os"
	"syscall"
	"testing"

	"go.uber.org/goleak"

	"github.com/gorseq/percpu/internal/seccomp"
)

// Environment variables.
const (
	EnvBlock   = "PERCPU_TEST_BLOCK_RSEQ"         // ENOSYS or EPERM
	envApplied = "PERCPU_TEST_BLOCK_RSEQ_APPLIED" // set in the re-executed child
)

var errnos = map[string]syscall.Errno{"ENOSYS": syscall.ENOSYS, "EPERM": syscall.EPERM}

// Run runs the tests, blocking rseq first if the environment asks, and
// fails them if goroutines leak.
func Run(m *testing.M, opts ...goleak.Option) {
	if err := blockIfAsked(); err != nil {
		fmt.Fprintln(os.Stderr, "testmain:", err)
		os.Exit(2)
	}
	goleak.VerifyTestMain(m, opts...)
}

// RseqBlocked returns the errno rseq(2) was blocked with ("ENOSYS",
// "EPERM"), or "".
func RseqBlocked() string {
	if os.Getenv(envApplied) != "1" {
		return ""
	}
	return os.Getenv(EnvBlock)
}

// blockIfAsked installs the filter and re-executes the binary; it returns
// only when nothing was asked or the filter is already in place.
func blockIfAsked() error {
	name := os.Getenv(EnvBlock)
	if name == "" || os.Getenv(envApplied) == "1" {
		return nil
	}
	errno, ok := errnos[name]
	if !ok {
		return fmt.Errorf("%s=%q: want ENOSYS or EPERM", EnvBlock, name)
	}
	if err := seccomp.BlockRseq(errno); err != nil {
		return fmt.Errorf("%s=%s: %w (refusing to run the tests unblocked)", EnvBlock, name, err)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	env := append(os.Environ(), envApplied+"=1")
	return fmt.Errorf("re-executing %s: %w", exe, syscall.Exec(exe, os.Args, env))
}
