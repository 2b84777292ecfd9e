//go:build linux

package stresstest

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// CanSignalThreads reports whether SignalStorm reaches threads: true on
// Linux, where tgkill signals one thread.
const CanSignalThreads = true

// ThreadIDs returns the ids of the process's threads (/proc/self/task).
func ThreadIDs() []int {
	entries, _ := os.ReadDir("/proc/self/task")
	ids := make([]int, 0, len(entries))
	for _, e := range entries {
		if id, err := strconv.Atoi(e.Name()); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// SignalThread sends SIGURG (the runtime's preemption signal, which it
// tolerates at any rate) to the thread tid of this process.
func SignalThread(tid int) { _ = unix.Tgkill(os.Getpid(), tid, unix.SIGURG) }
