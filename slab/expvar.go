package slab

import "expvar"

// Publish makes an Allocator's statistics visible in expvar under name (and
// so at /debug/vars); stats is called on every read:
//
//	slab.Publish("slab.records", records.Stats)
//
// It has the shape of alloc.Publish. Like expvar.Publish, it panics if name
// is already in use.
func Publish(name string, stats func() Stats) {
	expvar.Publish(name, expvar.Func(func() any { return stats() }))
}
