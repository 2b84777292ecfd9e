package alloc

import (
	"sync"

	"github.com/gorseq/percpu/rseq"
)

// depot is one class's stack of batches behind the per-CPU stacks, under a
// mutex: a CPU reaches it once per batchSize operations at most. Batch
// buffers are recycled, so moving values between CPUs and the depot makes
// no garbage.
type depot struct {
	mu    sync.Mutex
	full  []*batch // guarded by mu
	empty []*batch // guarded by mu; cleared, ready for reuse
	n     int      // values in full; guarded by mu
	max   int      // n ≤ max; set before the cache is published
}

type batch struct {
	n int
	e [batchSize]rseq.Entry
}

// take moves up to len(dst) entries, the newest, from the newest batch
// into dst and returns how many (0: the depot is empty). Taking part of a
// batch leaves the rest of it in the depot: a CPU takes what its stack
// has room for, and no more.
func (d *depot) take(dst []rseq.Entry) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	last := len(d.full) - 1
	if last < 0 {
		return 0
	}
	b := d.full[last]
	n := copy(dst, b.e[b.n-min(len(dst), b.n):b.n])
	b.n -= n
	clear(b.e[b.n : b.n+n]) // the depot keeps no reference to what it handed out
	d.n -= n
	if b.n == 0 {
		d.full[last] = nil
		d.full = d.full[:last]
		d.empty = append(d.empty, b)
	}
	return n
}

// give stores a copy of entries (at most batchSize), or of as many as fit,
// on top of the newest batch if it has room for them, else as a batch of
// their own, and returns how many it stored. Filling the newest batch keeps
// the batches full when CPUs move a few entries at a time (moveSize), so
// the depot's memory stays within a batch per batchSize values.
func (d *depot) give(entries []rseq.Entry) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if room := d.max - d.n; len(entries) > room {
		entries = entries[:max(room, 0)]
	}
	if len(entries) == 0 {
		return 0
	}
	if last := len(d.full) - 1; last >= 0 && d.full[last].n+len(entries) <= batchSize {
		b := d.full[last]
		n := copy(b.e[b.n:], entries)
		b.n += n
		d.n += n
		return n
	}
	var b *batch
	if last := len(d.empty) - 1; last >= 0 {
		b, d.empty[last], d.empty = d.empty[last], nil, d.empty[:last]
	} else {
		b = new(batch)
	}
	b.n = copy(b.e[:], entries)
	d.n += b.n
	d.full = append(d.full, b)
	return b.n
}

// clear drops every batch, full and empty, and returns how many values it
// dropped.
func (d *depot) clear() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := d.n
	d.full, d.empty, d.n = nil, nil, 0
	return n
}

func (d *depot) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}
