package slab

import (
	"math"
	"sync"
	"time"
)

// Giving memory back. Objects come home in two steps: from the CPUs' caches
// and the depots to their spans (Release, or the ordinary overflow of
// depots), and spans whose objects are all free go back to the system —
// after ReleaseDelay of idleness, by a timer, or at once by Release.

// Release returns every object cached by any CPU or depot to its span, and
// the memory of every span whose objects are then all free to the system.
// Objects in use are not affected.
//
// Taking another CPU's cached objects needs the fence of package rseq
// (stop, then membarrier). Where it fails, Release takes what it can
// reach and asks the CPUs to drain themselves: until every cache is empty,
// each Alloc and Free first empties the calling CPU's cache into the
// depot, and Stats reports SelfDrainPending.
func (a *Allocator) Release() {
	if a.divert.Load()&divertClosed != 0 {
		panic(errClosed)
	}
	switch err := a.drain(a.putCentral); {
	case err != nil:
		a.setDivert(divertSelfDrain, true)
	case a.divert.Load()&divertSelfDrain != 0:
		a.setDivert(divertSelfDrain, false) // this drain reached every CPU
	}
	for k := range a.classes {
		if objs := a.classes[k].depot.takeAll(); len(objs) > 0 {
			a.putCentral(k, objs)
		}
	}
	a.releaseIdle(math.MaxInt64)
}

// releaseIdle returns the memory of the idle spans that became idle at or
// before cutoff, and returns when the oldest remaining one did (0: none).
func (a *Allocator) releaseIdle(cutoff int64) (oldest int64) {
	for k := range a.classes {
		spans, o := a.classes[k].central.takeIdle(cutoff)
		for _, s := range spans {
			a.retire(s)
		}
		if o != 0 && (oldest == 0 || o < oldest) {
			oldest = o
		}
	}
	return oldest
}

// selfDrain empties the calling CPU's caches into the depots and, once no
// CPU holds anything, ends the self-drain Release asked for.
func (a *Allocator) selfDrain() {
	var buf [maxBatch]uintptr
	for k := 0; k < int(a.cachedClasses); k++ {
		for n := a.stacks.PopBatch(k, buf[:]); n > 0; n = a.stacks.PopBatch(k, buf[:]) {
			a.putShared(k, buf[:n])
		}
	}
	if a.cachedObjects() == 0 {
		a.setDivert(divertSelfDrain, false)
	}
}

// cachedObjects is about how many objects the per-CPU caches hold.
func (a *Allocator) cachedObjects() int {
	n := 0
	for k := 0; k < int(a.cachedClasses); k++ {
		n += a.stacks.Len(k)
	}
	return n
}

// The scavenger returns idle spans after ReleaseDelay. It is a timer, armed
// when a span becomes idle and none is pending, so an Allocator with
// nothing to return runs no goroutine at all.
type scavenger struct {
	work    sync.Mutex // held while the timer's function releases spans
	mu      sync.Mutex
	timer   *time.Timer // guarded by mu
	pending bool        // guarded by mu: the timer will fire
	stopped bool        // guarded by mu: Close was called
}

// arm makes sure the timer will fire ReleaseDelay from now or sooner.
func (sc *scavenger) arm(a *Allocator) {
	if a.releaseDelay < 0 {
		return
	}
	sc.armAfter(a, a.releaseDelay)
}

func (sc *scavenger) armAfter(a *Allocator, d time.Duration) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.pending || sc.stopped {
		return
	}
	sc.pending = true
	if sc.timer == nil {
		sc.timer = time.AfterFunc(d, func() { sc.fire(a) })
	} else {
		sc.timer.Reset(d)
	}
}

// fire releases the spans idle for ReleaseDelay and re-arms for the rest.
func (sc *scavenger) fire(a *Allocator) {
	sc.work.Lock()
	defer sc.work.Unlock()
	sc.mu.Lock()
	sc.pending = false
	stopped := sc.stopped
	sc.mu.Unlock()
	if stopped {
		return
	}
	t := now()
	if oldest := a.releaseIdle(t - int64(a.releaseDelay)); oldest != 0 {
		sc.armAfter(a, time.Duration(oldest+int64(a.releaseDelay)-t))
	}
}

// stop cancels the timer for good, and waits for a release it started.
func (sc *scavenger) stop() {
	sc.mu.Lock()
	sc.stopped = true
	if sc.timer != nil {
		sc.timer.Stop()
	}
	sc.mu.Unlock()
	// Waiting for a release in progress is the point of this empty
	// critical section.
	sc.work.Lock()
	sc.work.Unlock()
}
