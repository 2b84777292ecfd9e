package rseq

import (
	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/procpin"
)

// CPU returns the CPU the calling thread is running on. Like any such
// number it may be stale by the time the caller uses it: use it as a hint
// (to pick a shard), never for ownership. It works in every mode: from the
// processor (RDPID or RDTSCP, under a nanosecond), else from the thread's
// rseq area, else from the getcpu system call; where none exists it returns
// the current P's id.
func CPU() int {
	if c, ok := arch.CPU(); ok {
		return c
	}
	if on {
		if c, st := arch.CurrentCPUID(); st == arch.Committed {
			return int(c)
		}
	}
	if c, ok := getcpu(); ok {
		return c
	}
	return shardHint()
}

func cpuSource() string {
	if _, ok := arch.CPU(); ok {
		return arch.CPUIDInstruction()
	}
	if on {
		return "rseq cpu_id (getcpu on threads that could not register)"
	}
	if _, ok := getcpu(); ok {
		return "getcpu system call"
	}
	return "P id (no CPU number on this platform)"
}

// shardHint returns the current P's id: cheap, stable while the goroutine
// runs, and below GOMAXPROCS. The fallback shards are chosen by it.
func shardHint() int {
	p := procpin.Pin()
	procpin.Unpin()
	return p
}
