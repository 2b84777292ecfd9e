package alloc

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/rseq"
)

// depot is one class's store of values behind the per-CPU stacks: a shard
// per CPU (up to maxDepotShards), each a stack of batches under a mutex of
// its own. A CPU gives to and takes from its own shard first, so CPUs that
// overflow and refill at once — a burst on every CPU — do not queue behind
// one lock; a take that finds its shard empty takes from the others, so no
// value is out of reach of any CPU, and a give that finds its shard full
// fills the others. The CPU is rseq.CPU's hint: a thread that moves
// between reading it and locking merely uses another shard.
//
// The shards are made at the first give: a pool that never overflows (a
// used-once pool) pays nothing for them.
//
// Nothing in it, nor in the cache, is written per move: each shard counts
// its own values and moves, on its own lines. A count of all shards'
// values kept here, and the cache's counts of moves in and out, were
// lines that every CPU's every move wrote: without the one, a 16 KiB
// BenchmarkBuffersBurst at -cpu 2 ran 15% faster, without the others 12%
// faster again.
type depot struct {
	max    int                           // values in all shards ≤ max; set before the cache is published
	shards atomic.Pointer[[]paddedShard] // nil until the first give
}

// maxDepotShards bounds the shards of a depot: past a few, a shard per CPU
// buys little but memory (each is two cache lines).
const maxDepotShards = 8

// depotShards is how many shards a depot has: a power of two.
var depotShards = func() int {
	n := 1
	for n < runtime.NumCPU() && n < maxDepotShards {
		n <<= 1
	}
	return n
}()

// take moves up to len(dst) entries into dst from the calling CPU's shard,
// or else from the first other one that has any, and returns how many (0:
// the depot is empty).
func (d *depot) take(dst []rseq.Entry) int {
	shards := d.all()
	home := rseq.CPU()
	for i := range shards {
		s := &shards[(home+i)&(len(shards)-1)]
		if s.n.Load() == 0 {
			continue // empty: no need to lock it
		}
		if n := s.take(dst); n > 0 {
			s.outs.Add(1)
			return n
		}
	}
	return 0
}

// give stores a copy of entries (at most batchSize) in the calling CPU's
// shard, or as many as fit there and the rest in the others, and returns
// how many it stored; what no shard has room for is not stored.
func (d *depot) give(entries []rseq.Entry) int {
	sh := d.shards.Load()
	if sh == nil {
		sh = d.makeShards()
	}
	shards, home := *sh, rseq.CPU()
	given := 0
	for i := 0; i < len(shards) && given < len(entries); i++ {
		s := &shards[(home+i)&(len(shards)-1)]
		if n := s.give(entries[given:]); n > 0 {
			if given == 0 {
				s.ins.Add(1) // one move, however many shards it filled
			}
			given += n
		}
	}
	return given
}

// all returns the shards, none before the first give.
func (d *depot) all() []paddedShard {
	if sh := d.shards.Load(); sh != nil {
		return *sh
	}
	return nil
}

// makeShards makes the shards, max split between them, unless another
// give has.
func (d *depot) makeShards() *[]paddedShard {
	shards := make([]paddedShard, depotShards)
	for i := range shards {
		shards[i].max = d.max / len(shards)
		if i < d.max%len(shards) {
			shards[i].max++
		}
	}
	if d.shards.CompareAndSwap(nil, &shards) {
		return &shards
	}
	return d.shards.Load()
}

// clear drops every value and batch, and returns how many values it
// dropped.
func (d *depot) clear() int {
	n := 0
	for i, shards := 0, d.all(); i < len(shards); i++ {
		n += shards[i].clear()
	}
	return n
}

// moves returns how many gives stored values (in) and how many takes
// handed some out (out).
func (d *depot) moves() (in, out int64) {
	for i, shards := 0, d.all(); i < len(shards); i++ {
		in += shards[i].ins.Load()
		out += shards[i].outs.Load()
	}
	return in, out
}

// len returns the values the depot holds (approximately, while others
// give and take).
func (d *depot) len() int {
	n := 0
	for i, shards := 0, d.all(); i < len(shards); i++ {
		n += int(shards[i].n.Load())
	}
	return n
}

// depotShard is one shard of a depot: a stack of batches under a mutex.
// Batch buffers are recycled, so moving values between CPUs and the depot
// makes no garbage.
type depotShard struct {
	mu    sync.Mutex
	full  []*batch     // guarded by mu
	empty []*batch     // guarded by mu; cleared, ready for reuse
	n     atomic.Int64 // values in full; written under mu, read by anyone (take skips an empty shard)
	// ins and outs count the depot's moves that stored here first or took
	// from here, for Stats.
	ins, outs atomic.Int64
	max       int // n ≤ max; set before the shard is published
}

// paddedShard keeps each shard's lock and lists off its neighbours' cache
// lines (two of them: the adjacent-line prefetcher pairs lines).
type paddedShard struct {
	depotShard
	_ [128 - unsafe.Sizeof(depotShard{})%128]byte
}

type batch struct {
	n int
	e [batchSize]rseq.Entry
}

// take moves up to len(dst) entries, the newest, from the newest batch
// into dst and returns how many (0: the depot is empty). Taking part of a
// batch leaves the rest of it in the depot: a CPU takes what its stack
// has room for, and no more.
func (d *depotShard) take(dst []rseq.Entry) int {
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
	d.n.Add(int64(-n))
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
func (d *depotShard) give(entries []rseq.Entry) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if room := d.max - int(d.n.Load()); len(entries) > room {
		entries = entries[:max(room, 0)]
	}
	if len(entries) == 0 {
		return 0
	}
	if last := len(d.full) - 1; last >= 0 && d.full[last].n+len(entries) <= batchSize {
		b := d.full[last]
		n := copy(b.e[b.n:], entries)
		b.n += n
		d.n.Add(int64(n))
		return n
	}
	var b *batch
	if last := len(d.empty) - 1; last >= 0 {
		b, d.empty[last], d.empty = d.empty[last], nil, d.empty[:last]
	} else {
		b = new(batch)
	}
	b.n = copy(b.e[:], entries)
	d.n.Add(int64(b.n))
	d.full = append(d.full, b)
	return b.n
}

// clear drops every batch, full and empty, and returns how many values it
// dropped.
func (d *depotShard) clear() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := int(d.n.Swap(0))
	d.full, d.empty = nil, nil
	return n
}

func (d *depotShard) len() int { return int(d.n.Load()) }
