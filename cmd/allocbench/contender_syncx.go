package main

import "github.com/bytedance/gopkg/lang/syncx"

// ByteDance's syncx.Pool (github.com/bytedance/gopkg/lang/syncx), a peer
// users pick instead of sync.Pool: per-P stacks of 256-value blocks reached
// under runtime.procPin, with its own GC policy hooked into sync's cleanup
// by linkname (it drops about half of what sat unused, every fourth GC,
// where sync.Pool empties itself every GC). Under -race it is a plain
// sync.Pool.
func init() {
	register(Contender{
		Name:    "syncx",
		About:   "bytedance gopkg syncx.Pool (per-P blocks of 256, keeps values across GCs)",
		NewPool: newSyncxPool,
	})
}

// syncxPool adapts syncx.Pool to Pool.
type syncxPool struct{ p syncx.Pool }

func newSyncxPool(newItem func() *Item) Pool {
	s := &syncxPool{}
	s.p.New = func() any { return newItem() }
	return s
}

func (s *syncxPool) Get() *Item  { return s.p.Get().(*Item) }
func (s *syncxPool) Put(x *Item) { s.p.Put(x) }
