package main

import "sync"

// A slice stack behind one sync.Mutex: the simplest correct pool, and the
// one that suffers most when the lock holder is preempted.
func init() {
	register(Contender{
		Name:    "mutex",
		About:   "sync.Mutex + slice stack",
		NewPool: newMutexPool,
	})
}

type mutexPool struct {
	mu      sync.Mutex
	items   []*Item // guarded by mu; at most poolCapacity
	newItem func() *Item
}

func newMutexPool(newItem func() *Item) Pool {
	return &mutexPool{items: make([]*Item, 0, poolCapacity), newItem: newItem}
}

func (p *mutexPool) Get() *Item {
	p.mu.Lock()
	n := len(p.items)
	if n == 0 {
		p.mu.Unlock()
		return p.newItem()
	}
	x := p.items[n-1]
	p.items[n-1] = nil
	p.items = p.items[:n-1]
	p.mu.Unlock()
	return x
}

func (p *mutexPool) Put(x *Item) {
	p.mu.Lock()
	if len(p.items) < poolCapacity {
		p.items = append(p.items, x)
	}
	p.mu.Unlock()
}
