package main

import (
	"sync/atomic"

	"github.com/gorseq/percpu/internal/procpin"
)

// counter counts events from many goroutines without a shared hot cache
// line: each P adds to its own padded shard. Contenders' New calls go
// through one, so counting costs every contender the same few nanoseconds.
// A counter must not be copied after first use.
type counter struct {
	shards [counterShards]struct {
		n atomic.Int64
		_ [120]byte // one shard per 128-byte line pair: no false sharing
	}
}

// counterShards is a power of two; P ids beyond it share shards, which stays
// correct (the adds are atomic) and only costs contention.
const counterShards = 64

// add counts one event.
func (c *counter) add() {
	p := procpin.Pin()
	c.shards[p&(counterShards-1)].n.Add(1)
	procpin.Unpin()
}

// load returns the count. It is exact once the adding goroutines are done.
func (c *counter) load() int64 {
	var sum int64
	for i := range c.shards {
		sum += c.shards[i].n.Load()
	}
	return sum
}
