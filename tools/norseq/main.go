// Command norseq runs a command in a process where rseq(2) fails, as it
// does in a sandbox that refuses restartable sequences (gVisor, a seccomp
// profile that predates rseq):
//
//	go run ./tools/norseq -errno ENOSYS go test ./...
//	go run ./tools/norseq -errno EPERM go test ./...
//
// It installs a seccomp filter that makes rseq(2) fail with the errno
// (package internal/seccomp) and replaces itself with the command. Seccomp
// filters survive execve and fork and cannot be removed, so the command and
// every process it starts — the go command and each test binary it runs —
// see rseq(2) fail from their first instruction on, glibc's start-up
// registration included. Nothing in the command is told about the filter:
// unlike PERCPU_TEST_BLOCK_RSEQ (package internal/testmain), which the
// tests know about, this is what a user in such a sandbox runs.
//
// Exit status: the command's; 2 for a usage error; 1 if the filter cannot
// be installed or the command cannot be started (norseq never runs the
// command unfiltered).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"github.com/gorseq/percpu/internal/seccomp"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stderr))
}

// errnos are the errnos -errno may name: what gVisor and seccomp profiles
// answer rseq(2) with.
var errnos = map[string]syscall.Errno{"ENOSYS": syscall.ENOSYS, "EPERM": syscall.EPERM}

// errUsage marks errors that deserve the usage message and status 2.
var errUsage = errors.New("usage: norseq [-errno ENOSYS|EPERM] command [argument ...]")

// realMain parses args and execs the command under the filter; it returns
// only on failure, with the exit status.
func realMain(args []string, stderr io.Writer) int {
	errno, argv, err := parse(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "norseq:", err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		fmt.Fprintln(stderr, "norseq:", err)
		return 1
	}
	err = seccomp.BlockRseqAndExec(errno, path, argv, os.Environ())
	fmt.Fprintf(stderr, "norseq: %v; the command did not run\n", err)
	return 1
}

// parse returns the errno and the command line that args ask for.
func parse(args []string, stderr io.Writer) (syscall.Errno, []string, error) {
	fs := flag.NewFlagSet("norseq", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("errno", "ENOSYS", "the errno rseq(2) fails with: ENOSYS or EPERM")
	if err := fs.Parse(args); err != nil {
		return 0, nil, fmt.Errorf("%w (%v)", errUsage, err)
	}
	errno, ok := errnos[*name]
	if !ok {
		return 0, nil, fmt.Errorf("%w: -errno %q is not ENOSYS or EPERM", errUsage, *name)
	}
	if fs.NArg() == 0 {
		return 0, nil, fmt.Errorf("%w: no command", errUsage)
	}
	return errno, fs.Args(), nil
}
