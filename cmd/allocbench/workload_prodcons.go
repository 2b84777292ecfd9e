package main

import "sync"

// prodcons: producers Get records and hand them, in batches over a
// channel, to consumers that Put them — every record is freed on another
// goroutine, usually another P, than the one that got it, so a per-CPU cache
// drains on one side and fills on the other.
var prodConsWorkload = Workload{
	Name:    "prodcons",
	Bench:   "ProdCons",
	About:   "Get on producers, Put on consumers (batches of 32 over a channel)",
	Uses:    shapePool,
	Default: true,
	Prepare: func(t *Target) func(n int) {
		return func(n int) { runProduceConsume(t.Pool, t.Procs, n) }
	},
}

// Batches amortise the channel, whose cost would otherwise hide the pools'.
const (
	handOffBatch = 32
	handOffDepth = 4 // batches in flight per producer
)

// produceConsume moves n records from procs producers to procs consumers.
// Batch slices circulate between the two sides, so the workload itself does
// not allocate.
//
//allocbench:loop
func produceConsume(p Pool, procs, n int) {
	full := make(chan []*Item, handOffDepth*procs)
	empty := make(chan []*Item, (handOffDepth+2)*procs)
	for range cap(empty) {
		empty <- make([]*Item, 0, handOffBatch)
	}
	var consumers sync.WaitGroup
	for range procs {
		consumers.Go(func() {
			for batch := range full {
				for i, x := range batch {
					p.Put(x)
					batch[i] = nil
				}
				empty <- batch[:0]
			}
		})
	}
	parallel(procs, n, func(_, ops int) {
		for ops > 0 {
			batch := <-empty
			for range min(handOffBatch, ops) {
				x := p.Get()
				x.Data[0]++
				batch = append(batch, x)
			}
			ops -= len(batch)
			full <- batch
		}
	})
	close(full)
	consumers.Wait()
}
