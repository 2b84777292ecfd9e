//go:build !linux

package main

import "runtime"

// cpuModel is only known on Linux.
func cpuModel() string { return "unknown CPU" }

// kernel returns the operating system's name; the release is only read on
// Linux.
func kernel() string { return runtime.GOOS }
