package main

import "sync"

// sync.Pool behind a typed generic wrapper, the one many code bases write
// for themselves (often as Pool[T] in a util package): New returns a T, Get
// asserts the interface back to T. It measures what the wrapper costs over
// using sync.Pool directly (the type assertion goes through the generic
// dictionary) and is the typed API that alloc.PoolOf competes with.
func init() {
	register(Contender{
		Name:  "typedpool",
		About: "Pool[T], a generic typed wrapper around sync.Pool as users write it",
		NewPool: func(newItem func() *Item) Pool {
			return &typedItemPool{newTypedPool(newItem)}
		},
	})
}

// typedPool is the wrapper as a user would write it.
type typedPool[T any] struct{ p sync.Pool }

func newTypedPool[T any](newValue func() T) *typedPool[T] {
	return &typedPool[T]{p: sync.Pool{New: func() any { return newValue() }}}
}

func (p *typedPool[T]) Get() T  { return p.p.Get().(T) }
func (p *typedPool[T]) Put(x T) { p.p.Put(x) }

// typedItemPool is the wrapper instantiated for the records. Its Get and
// Put only forward (the compiler inlines them); they are declared here so
// that loopgen gives it its copies of the loops.
type typedItemPool struct{ p *typedPool[*Item] }

func (p typedItemPool) Get() *Item  { return p.p.Get() }
func (p typedItemPool) Put(x *Item) { p.p.Put(x) }
