package slab

import "fmt"

// Misses and overflows: the calling CPU's cache of a class was empty, or
// full. Either way a batch moves between the cache and the class's shared
// levels (the depot, then the central lists), and the event counts toward
// raising the class's per-CPU limit.

// refill serves a miss of class k: it takes a batch from the shared levels,
// returns one object of it and pushes the rest onto the CPU's stack.
func (a *Allocator) refill(k int) uintptr {
	a.countMiss(k)
	var buf [maxBatch]uintptr
	n := a.takeShared(k, buf[:classes[k].batch])
	p := buf[n-1]
	if n > 1 {
		if pushed := a.stacks.PushBatch(k, buf[:n-1]); pushed < n-1 {
			a.putShared(k, buf[pushed:n-1]) // the limit is below a batch, or we moved CPU
		}
	}
	a.noteSlow(k)
	return p
}

// overflow serves a free of p into class k when the CPU's stack is full: a
// batch of the stack's objects moves to the shared levels, and p takes its
// place on the stack (p is the object most likely to be in this CPU's
// cache lines).
func (a *Allocator) overflow(k int, p uintptr) {
	a.classes[k].over.Add(1)
	a.onCPU().overflows.Add(1)
	var buf [maxBatch + 1]uintptr
	n := a.stacks.PopBatch(k, buf[:classes[k].batch])
	if !a.stacks.Push(k, p) {
		buf[n] = p
		n++
	}
	a.putShared(k, buf[:n])
	a.noteSlow(k)
}

// takeShared fills dst with objects of class k from the depot, else from
// the central lists, and returns how many (at least one). It panics if the
// system refuses memory for a new span.
func (a *Allocator) takeShared(k int, dst []uintptr) int {
	if n := a.classes[k].depot.take(dst); n > 0 {
		return n
	}
	n, err := a.classes[k].central.take(a, dst)
	if err != nil {
		panic(fmt.Sprintf("slab: out of memory: %v", err))
	}
	return n
}

// putShared gives objects of class k to the depot, and what does not fit
// there to the central lists. In protect mode the depot is skipped, so that
// spans become free (and inaccessible) as soon as their objects are.
func (a *Allocator) putShared(k int, objs []uintptr) {
	if a.debug == nil || !a.debug.protect {
		objs = a.classes[k].depot.put(objs)
	}
	if len(objs) > 0 {
		a.putCentral(k, objs)
	}
}

// putCentral returns objects of class k to their spans.
func (a *Allocator) putCentral(k int, objs []uintptr) {
	if a.classes[k].central.put(a, objs) {
		a.scav.arm(a)
	}
}

func (a *Allocator) countMiss(k int) {
	a.classes[k].misses.Add(1)
	a.onCPU().misses.Add(1)
}
