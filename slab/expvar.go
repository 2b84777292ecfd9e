package slab

import "expvar"

// Var returns an expvar.Var whose value is the Allocator's Stats, read
// anew each time it is shown.
func (a *Allocator) Var() expvar.Var {
	return expvar.Func(func() any { return a.Stats() })
}

// Publish makes the Allocator's Stats visible in expvar under name (and so
// at /debug/vars):
//
//	slab.Publish("slab.records", records)
//
// Like expvar.Publish, it panics if name is already in use.
func Publish(name string, a *Allocator) {
	expvar.Publish(name, a.Var())
}
