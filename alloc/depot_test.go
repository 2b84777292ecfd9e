package alloc

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/gorseq/percpu/rseq"
)

// TestDepotTakesWhatFits checks that take hands out the newest entries of
// the newest batch, no more than asked, keeps the rest of that batch, and
// holds no reference to what it handed out.
func TestDepotTakesWhatFits(t *testing.T) {
	d := depotShard{max: 64}
	vals := make([]byte, 26)
	entry := func(j int) rseq.Entry { return rseq.Entry{P: unsafe.Pointer(&vals[j])} }
	var first, second []rseq.Entry
	for j := range 10 {
		first = append(first, entry(j))
	}
	for j := 10; j < 26; j++ {
		second = append(second, entry(j))
	}
	if d.give(first) != 10 || d.give(second) != 16 {
		t.Fatal("give refused room the depot has")
	}
	var dst [batchSize]rseq.Entry
	if n := d.take(dst[:4]); n != 4 || dst[0].P != unsafe.Pointer(&vals[22]) || dst[3].P != unsafe.Pointer(&vals[25]) {
		t.Fatalf("take of 4: %d entries from %p, want the newest 4 (values 22 to 25)", n, dst[0].P)
	}
	b := d.full[len(d.full)-1]
	for j := b.n; j < len(b.e); j++ {
		if b.e[j].P != nil {
			t.Fatalf("slot %d of the batch taken from still holds %p", j, b.e[j].P)
		}
	}
	if d.len() != 22 || b.n != 12 {
		t.Fatalf("after a take of 4: depot holds %d, batch %d; want 22 and 12", d.len(), b.n)
	}
	if n := d.take(dst[:]); n != 12 || dst[0].P != unsafe.Pointer(&vals[10]) {
		t.Fatalf("take of up to 16: %d entries from %p, want the batch's other 12 (values 10 to 21)", n, dst[0].P)
	}
	if len(d.full) != 1 || len(d.empty) != 1 {
		t.Fatalf("the emptied batch was not recycled: %d full, %d empty", len(d.full), len(d.empty))
	}
	if n := d.take(dst[:]); n != 10 || d.take(dst[:]) != 0 || d.len() != 0 {
		t.Fatalf("emptying the depot: took %d, want 10, then nothing", n)
	}
}

// TestDepotFillsTheNewestBatch gives the depot entries a few at a time,
// as CPUs with small stacks do: they go on top of the newest batch while it
// has room, so the depot holds no more batches than whole ones would take,
// and a take still hands out the newest first.
func TestDepotFillsTheNewestBatch(t *testing.T) {
	d := depotShard{max: 64}
	vals := make([]byte, 40)
	for j := 0; j < 40; j += 2 {
		if d.give([]rseq.Entry{{P: unsafe.Pointer(&vals[j])}, {P: unsafe.Pointer(&vals[j+1])}}) != 2 {
			t.Fatal("give refused room the depot has")
		}
	}
	if len(d.full) != 3 || d.len() != 40 {
		t.Fatalf("40 entries given two at a time: %d batches, %d entries; want 3 batches (16, 16, 8)", len(d.full), d.len())
	}
	var dst [batchSize]rseq.Entry
	if n := d.take(dst[:3]); n != 3 || dst[2].P != unsafe.Pointer(&vals[39]) || dst[0].P != unsafe.Pointer(&vals[37]) {
		t.Fatalf("take of 3: %d entries ending with %p, want values 37 to 39", n, dst[2].P)
	}
}

// TestCacheEdgeOfAFullStackStaysOffTheDepot fills a CPU's stack of one
// class and puts one more, then alternates a Get and a Put: the overflow
// left the stack room both ways, so no later call reaches the depot. (A
// refill that fills the stack and an overflow that empties it made every
// one of them do so.)
func TestCacheEdgeOfAFullStackStaysOffTheDepot(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops a share of Puts on purpose")
	}
	type pool struct {
		get   func() any
		put   func(any)
		stats func() Stats
	}
	bufs := func(size int) func() (pool, int) {
		return func() (pool, int) {
			b := &Buffers{PerCPU: 8} // the stack grows to 8 at most, and then is full
			return pool{func() any { return b.Get(size) }, func(x any) { b.Put(x.([]byte)) }, b.Stats},
				max(1, min(8, perCPUBytes/size))
		}
	}
	for _, tc := range []struct {
		name string
		make func() (pool, int) // a pool, and its stack's capacity in the class used
	}{
		{"Pool", func() (pool, int) {
			p := Pool{New: func() any { return new([64]byte) }, PerCPU: 8}
			return pool{p.Get, p.Put, p.Stats}, 8
		}},
		{"Buffers/128B", bufs(128)},         // a class of 8 per CPU at most
		{"Buffers/128KiB", bufs(128 << 10)}, // 2 per CPU: each move is one buffer
	} {
		t.Run(tc.name, func(t *testing.T) {
			runtime.LockOSThread() // onCPU pins the thread
			defer runtime.UnlockOSThread()
			onCPU(t, 0, func() {
				p, capacity := tc.make()
				held := make([]any, capacity+1)
				for j := range held {
					held[j] = p.get()
				}
				for _, x := range held { // the last one overflows
					p.put(x)
				}
				before := p.stats()
				for range 1000 {
					p.put(p.get())
				}
				after := p.stats()
				if moves := after.DepotIn + after.DepotOut - before.DepotIn - before.DepotOut; moves > 2 {
					t.Errorf("1,000 Get-Put pairs at a stack of %d left full by an overflow moved %d batches to and from the depot, want none",
						capacity, moves)
				}
				if n := after.News - before.News; n != 0 {
					t.Errorf("%d calls to New while %d values were cached", n, capacity+1)
				}
			})
		})
	}
}

// TestDepotShardsServeTheirCPU: a give goes to the calling CPU's shard; a
// take on a CPU whose shard is empty takes another's; a give that finds
// its shard full fills the others, up to the depot's bound and no further.
func TestDepotShardsServeTheirCPU(t *testing.T) {
	if depotShards < 2 {
		t.Skip("one CPU: the depot has one shard")
	}
	runtime.LockOSThread() // onCPU pins the thread
	defer runtime.UnlockOSThread()
	d := depot{max: 4 * batchSize}
	vals := make([]byte, d.max+batchSize)
	next := 0
	fresh := func(n int) []rseq.Entry {
		e := make([]rseq.Entry, n)
		for i := range e {
			e[i].P = unsafe.Pointer(&vals[next])
			next++
		}
		return e
	}
	shardLens := func() []int {
		var lens []int
		for i := range *d.shards.Load() {
			lens = append(lens, (*d.shards.Load())[i].len())
		}
		return lens
	}
	onCPU(t, 0, func() {
		if d.give(fresh(10)) != 10 {
			t.Fatal("give refused room the depot has")
		}
		if lens := shardLens(); lens[rseq.CPU()&(depotShards-1)] != 10 {
			t.Fatalf("10 given on CPU %d: shards hold %v", rseq.CPU(), lens)
		}
	})
	onCPU(t, 1, func() {
		var dst [batchSize]rseq.Entry
		if n := d.take(dst[:4]); n != 4 {
			t.Fatalf("take of 4 on CPU 1, whose shard is empty: got %d; shards hold %v", n, shardLens())
		}
		if d.give(fresh(3)) != 3 {
			t.Fatal("give refused room the depot has")
		}
		if lens := shardLens(); lens[rseq.CPU()&(depotShards-1)] != 3 {
			t.Fatalf("3 given on CPU %d: shards hold %v", rseq.CPU(), lens)
		}
	})
	onCPU(t, 0, func() {
		for d.give(fresh(4)) == 4 {
		}
		lens, sum := shardLens(), 0
		for i, n := range lens {
			if n > (*d.shards.Load())[i].max {
				t.Errorf("shard %d holds %d, above its bound %d", i, n, (*d.shards.Load())[i].max)
			}
			sum += n
		}
		if sum != d.max || d.len() != d.max {
			t.Errorf("a depot of %d filled from CPU 0 holds %d (%v), len %d", d.max, sum, lens, d.len())
		}
	})
}

// TestDepotConservation gives and takes from goroutines on every CPU at
// once: every value the depot accepted comes out exactly once, by a take
// or by clear, and no value it refused is in it.
func TestDepotConservation(t *testing.T) {
	const workers, perWorker, rounds = 4, 48, 2000
	d := depot{max: 3 * batchSize}
	ids := make([]byte, workers*perWorker)
	inDepot := make([]atomic.Bool, len(ids))
	idOf := func(e rseq.Entry) int { return int(uintptr(e.P) - uintptr(unsafe.Pointer(&ids[0]))) }
	var wg sync.WaitGroup
	var held [workers][]rseq.Entry
	for w := range workers {
		for j := range perWorker {
			held[w] = append(held[w], rseq.Entry{P: unsafe.Pointer(&ids[w*perWorker+j])})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			var dst [batchSize]rseq.Entry
			for range rounds {
				if n := min(len(held[w]), 1+r.IntN(batchSize)); r.IntN(2) == 0 && n > 0 {
					base := len(held[w]) - n
					give := held[w][base:]
					for _, e := range give {
						inDepot[idOf(e)].Store(true)
					}
					got := d.give(give)            // stores give[:got]
					for _, e := range give[got:] { // refused: still ours
						inDepot[idOf(e)].Store(false)
					}
					held[w] = append(held[w][:base], give[got:]...)
					continue
				}
				n := d.take(dst[:1+r.IntN(batchSize)])
				for _, e := range dst[:n] {
					if !inDepot[idOf(e)].CompareAndSwap(true, false) {
						t.Errorf("take handed out value %d, which was not in the depot", idOf(e))
					}
					held[w] = append(held[w], e)
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for w := range held {
		total += len(held[w])
	}
	inside := d.len()
	if n := d.clear(); n != inside {
		t.Errorf("clear dropped %d values; len said %d", n, inside)
	}
	if total+inside != len(ids) {
		t.Errorf("%d values held and %d in the depot, of %d", total, inside, len(ids))
	}
	for i := range inDepot {
		if inDepot[i].Load() {
			inside--
		}
	}
	if inside != 0 {
		t.Errorf("the depot's count and its values differ by %d", inside)
	}
	if d.len() != 0 || d.take(make([]rseq.Entry, 1)) != 0 {
		t.Errorf("a cleared depot still holds values")
	}
}
