package main

// A buffered channel as a pool: non-blocking receive to Get, non-blocking
// send to Put. Every operation takes the channel's lock.
func init() {
	register(Contender{
		Name:    "chan",
		About:   "buffered channel, non-blocking send/receive",
		NewPool: newChanPool,
	})
}

type chanPool struct {
	items   chan *Item
	newItem func() *Item
}

func newChanPool(newItem func() *Item) Pool {
	return &chanPool{items: make(chan *Item, poolCapacity), newItem: newItem}
}

func (p *chanPool) Get() *Item {
	select {
	case x := <-p.items:
		return x
	default:
		return p.newItem()
	}
}

func (p *chanPool) Put(x *Item) {
	select {
	case p.items <- x:
	default: // full: drop
	}
}
