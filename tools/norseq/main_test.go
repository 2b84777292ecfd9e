package main

import (
	"errors"
	"io"
	"os"
	"reflect"
	"syscall"
	"testing"
)

// asCommand, set in a child's environment, makes the test binary run as
// norseq itself (see TestMain); it is removed before norseq execs anything.
const asCommand = "NORSEQ_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		os.Unsetenv(asCommand)
		os.Exit(realMain(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		errno syscall.Errno
		argv  []string
		usage bool
	}{
		{args: []string{"go", "test", "./..."}, errno: syscall.ENOSYS, argv: []string{"go", "test", "./..."}},
		{args: []string{"-errno", "EPERM", "go", "test", "-run", "X"}, errno: syscall.EPERM, argv: []string{"go", "test", "-run", "X"}},
		{args: []string{"-errno=ENOSYS", "true"}, errno: syscall.ENOSYS, argv: []string{"true"}},
		{args: []string{"-errno", "EINVAL", "true"}, usage: true},
		{args: []string{"-errno", "EPERM"}, usage: true},
		{args: nil, usage: true},
		{args: []string{"-x", "true"}, usage: true},
	} {
		errno, argv, err := parse(tc.args, io.Discard)
		if tc.usage {
			if !errors.Is(err, errUsage) {
				t.Errorf("parse(%q) = %v, %q, %v; want a usage error", tc.args, errno, argv, err)
			}
			continue
		}
		if err != nil || errno != tc.errno || !reflect.DeepEqual(argv, tc.argv) {
			t.Errorf("parse(%q) = %v, %q, %v; want %v, %q", tc.args, errno, argv, err, tc.errno, tc.argv)
		}
	}
}

func TestExitStatuses(t *testing.T) {
	if got := realMain([]string{"-errno", "EAGAIN", "true"}, io.Discard); got != 2 {
		t.Errorf("a bad -errno: exit status %d, want 2", got)
	}
	if got := realMain([]string{"/nonexistent/command"}, io.Discard); got != 1 {
		t.Errorf("a missing command: exit status %d, want 1", got)
	}
}
