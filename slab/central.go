package slab

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// The central lists of one size class: every span of the class, on one of
// three lists by how many of its objects are free. A span's free objects
// are the set bits of its bitmap; objects anywhere else (with a user, in a
// CPU's cache, in the depot) are clear bits. The central level is reached
// only when the depot has nothing to give or no room to take.
type central struct {
	mu    sync.Mutex
	class int
	// Guarded by mu: the spans with some objects free and some out
	// (onPartial), with none free (onFull), and with all free (onIdle,
	// oldest first).
	lists [numSpanLists]spanList

	// Written under mu, read by Stats without it.
	spans     atomic.Int64 // spans on the three lists
	idleSpans atomic.Int64 // spans on the idle list
	out       atomic.Int64 // objects not free in their spans
}

// take moves up to len(dst) objects into dst and returns how many: from the
// partial spans, else the most recently idle span, else a new span.
func (c *central) take(a *Allocator, dst []uintptr) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for n < len(dst) {
		s := c.lists[onPartial].first
		if s == nil {
			if s = c.lists[onIdle].last; s != nil {
				c.move(s, onPartial)
			} else {
				var err error
				if s, err = c.grow(a); err != nil {
					if n > 0 {
						break // hand out what there is; the next miss reports it
					}
					return 0, err
				}
			}
		}
		n += s.takeFree(dst[n:])
		if s.nfree == 0 {
			c.move(s, onFull)
		}
	}
	c.out.Add(int64(n))
	return n, nil
}

// grow creates a span for the class and puts it on the partial list.
// Called with mu held.
func (c *central) grow(a *Allocator) (*span, error) {
	info := &classes[c.class]
	ar, i, base, err := a.heap.alloc(info.spanPages)
	if err != nil {
		return nil, err
	}
	s, err := newSpan(a, i, base, info.spanPages, c.class)
	if err != nil {
		a.heap.free(i, base, info.spanPages)
		return nil, err
	}
	if a.debug != nil {
		a.debug.poisonSpan(s)
	}
	ar.setSpans(base, info.spanPages, s)
	c.move(s, onPartial)
	c.spans.Add(1)
	return s, nil
}

// put returns objects to their spans. It reports whether a span became
// idle (every object free), which the caller schedules for release.
func (c *central) put(a *Allocator, objs []uintptr) (becameIdle bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, addr := range objs {
		s := spanOf(addr)
		if s == nil || s.owner != a.id || s.class != c.class {
			panic(fmt.Sprintf("slab: internal error: object %#x returned to class %d is not in a span of that class", addr, c.class))
		}
		i, ok := s.index(addr)
		if !ok || !s.putFree(i) {
			panic(fmt.Sprintf("slab: object %#x (%d bytes) was freed twice: it came back to its span while already free "+
				"(the second Free went unnoticed at the time; set %s=1 to catch it there)", addr, s.elemSize, EnvDebug))
		}
		c.out.Add(-1)
		switch {
		case s.nfree == s.nelems:
			if a.debug != nil && a.debug.protect {
				c.removeSpan(s)
				a.debug.quarantineSpan(a, s)
				continue
			}
			s.idleAt = now()
			c.move(s, onIdle)
			becameIdle = true
		case s.nfree == 1:
			c.move(s, onPartial)
		}
	}
	return becameIdle
}

// move puts s on the back of list to, taking it off the list it is on.
// Called with mu held.
func (c *central) move(s *span, to spanListID) {
	if s.list == onIdle {
		c.idleSpans.Add(-1)
	}
	if s.list != onNoList {
		c.lists[s.list].remove(s)
	}
	s.list = to
	if to != onNoList {
		c.lists[to].pushBack(s)
	}
	if to == onIdle {
		c.idleSpans.Add(1)
	}
}

// removeSpan takes s off the central lists for good. Called with mu held.
func (c *central) removeSpan(s *span) {
	c.move(s, onNoList)
	c.spans.Add(-1)
}

// takeIdle removes the idle spans that became idle at or before cutoff
// and returns them, with the time the oldest remaining one became idle
// (0 if none remains).
func (c *central) takeIdle(cutoff int64) (spans []*span, oldest int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for s := c.lists[onIdle].first; s != nil && s.idleAt <= cutoff; s = c.lists[onIdle].first {
		c.removeSpan(s)
		spans = append(spans, s)
	}
	if s := c.lists[onIdle].first; s != nil {
		oldest = s.idleAt
	}
	return spans, oldest
}

// reset drops every span without touching its memory (Close).
func (c *central) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lists = [numSpanLists]spanList{}
	c.spans.Store(0)
	c.idleSpans.Store(0)
	c.out.Store(0)
}
