//go:build linux

package alloc

import "golang.org/x/sys/unix"

func signalThread(tid int) { _ = unix.Tgkill(unix.Getpid(), tid, unix.SIGURG) }
