//go:build linux

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gorseq/percpu/tools/kernelmatrix/guest"
)

func main() {
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "initprog: not PID 1; refusing to mount file systems and power off")
		os.Exit(2)
	}
	mountAll()
	cfg, err := readConfig()
	if err != nil {
		fmt.Printf("%s %v\n", guest.Error, err)
	} else {
		run(cfg)
	}
	powerOff()
}

// mountAll mounts what a Go test binary expects to find. A failure is
// reported and otherwise ignored: the test will say what it misses.
func mountAll() {
	for _, m := range []struct{ fstype, dir string }{
		{"proc", "/proc"},
		{"sysfs", "/sys"},
		{"devtmpfs", "/dev"},
		{"tmpfs", "/tmp"},
	} {
		if err := os.MkdirAll(m.dir, 0o755); err != nil {
			fmt.Printf("initprog: mkdir %s: %v\n", m.dir, err)
		}
		if err := unix.Mount(m.fstype, m.dir, m.fstype, 0, ""); err != nil && !errors.Is(err, unix.EBUSY) {
			fmt.Printf("initprog: mount %s on %s: %v\n", m.fstype, m.dir, err)
		}
	}
}

func readConfig() (guest.Config, error) {
	var cfg guest.Config
	b, err := os.ReadFile(guest.ConfigPath)
	if err != nil {
		return cfg, err
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", guest.ConfigPath, err)
	}
	return cfg, nil
}

// run runs the test binary and prints the BEGIN, KMSG and EXIT markers.
func run(cfg guest.Config) {
	var uts unix.Utsname
	_ = unix.Uname(&uts)
	fmt.Printf("%s %s %s %s %s\n", guest.Begin, cfg.Token, cfg.Name,
		unix.ByteSliceToString(uts.Release[:]), unix.ByteSliceToString(uts.Machine[:]))

	start := time.Now()
	status := runChild(cfg)
	secs := time.Since(start).Seconds()

	for _, line := range kernelLog() {
		if strings.Contains(strings.ToLower(line), "rseq") {
			fmt.Printf("%s %s %s\n", guest.Kmsg, cfg.Token, line)
		}
	}
	fmt.Printf("%s %s %s %s %.1f\n", guest.Exit, cfg.Token, cfg.Name, status, secs)
}

// runChild runs the test binary on the console and returns its status as
// the EXIT marker spells it.
func runChild(cfg guest.Config) string {
	cmd := exec.Command(cfg.Binary, cfg.Args...)
	cmd.Env = cfg.Env
	cmd.Dir = cfg.Dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return "0"
	case errors.As(err, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return unix.SignalName(ws.Signal())
		}
		return fmt.Sprint(exitErr.ExitCode())
	default:
		fmt.Printf("initprog: %v\n", err)
		return guest.StatusError
	}
}

// kernelLog returns the messages of the kernel's log buffer, one per
// record (continuation lines joined), read from /dev/kmsg. The console
// shows few of them: the kernel runs with "quiet".
func kernelLog() []string {
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		fmt.Printf("initprog: /dev/kmsg: %v\n", err)
		return nil
	}
	defer unix.Close(fd)
	var lines []string
	buf := make([]byte, 8192) // a record is at most ~1 KiB
	for {
		n, err := unix.Read(fd, buf)
		if errors.Is(err, unix.EPIPE) {
			continue // records were overwritten; the next read resumes
		}
		if err != nil || n <= 0 {
			return lines // EAGAIN: the end of the buffer
		}
		// "prio,seq,usec,flags;message\n KEY=value\n..."
		rec := string(buf[:n])
		if i := strings.IndexByte(rec, ';'); i >= 0 {
			rec = rec[i+1:]
		}
		msg, _, _ := strings.Cut(rec, "\n")
		lines = append(lines, msg)
	}
}

// powerOff drains the console so the host sees every line, then turns the
// machine off. It does not return.
func powerOff() {
	// TCSBRK with a non-zero argument is tcdrain(3): wait until the UART
	// has sent everything written so far.
	for _, fd := range []int{1, 2} {
		_ = unix.IoctlSetInt(fd, unix.TCSBRK, 1)
	}
	unix.Sync()
	err := unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	fmt.Printf("initprog: reboot(POWER_OFF): %v\n", err)
	for {
		time.Sleep(time.Hour) // the host's timeout ends this boot
	}
}
