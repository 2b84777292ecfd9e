//go:build linux

package rseq

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

func threadIDs() []int {
	entries, _ := os.ReadDir("/proc/self/task")
	ids := make([]int, 0, len(entries))
	for _, e := range entries {
		if id, err := strconv.Atoi(e.Name()); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

func signalThread(pid, tid int) { _ = unix.Tgkill(pid, tid, unix.SIGURG) }
