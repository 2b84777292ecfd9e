package main

import (
	"bufio"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// cpuModel returns the processor's model name from /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		key, value, ok := strings.Cut(s.Text(), ":")
		switch strings.TrimSpace(key) {
		case "model name", "Model", "cpu model": // x86, arm64 boards, others
			if ok {
				return strings.TrimSpace(value)
			}
		}
	}
	return "unknown CPU"
}

// kernel returns the kernel's name and release, as uname -sr prints them.
func kernel() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "Linux"
	}
	return unix.ByteSliceToString(u.Sysname[:]) + " " + unix.ByteSliceToString(u.Release[:])
}
