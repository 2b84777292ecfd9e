package alloc

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"

	"github.com/gorseq/percpu/rseq"
)

// The pools while the collector marks: an allocation-heavy loop keeps the
// GC marking much of the time, and Gets must keep finding the values their
// CPU holds (the marking protocol, rseq/marking.go), instead of missing on
// a fallback shard that cannot see them.

// garbageSink keeps each round's garbage reachable until the next round,
// through a heap store (a barriered write, as in a real program).
var garbageSink []byte

// TestGetsStayPerCPUWhileMarkingGC runs Get, 512 bytes of garbage, Put on
// one CPU at GOGC=1 for every pool kind. One value cycles through the pool,
// so after the first Get every Get must hit: a miss means the Get left the
// per-CPU path. Before the marking protocol, 17% of such Gets did.
func TestGetsStayPerCPUWhileMarkingGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	// The loop runs until enough collections have happened (a slow machine
	// needs fewer rounds for them, a fast one more), within bounds.
	minRounds, maxRounds := 100_000, 20_000_000
	minGCs := uint64(40)
	if testing.Short() || raceEnabled {
		minRounds, minGCs = 10_000, 10
	}
	for name, p := range tokenPools() {
		t.Run(name, func(t *testing.T) {
			before, gcBefore := rseq.Status(), gcCount()
			statsBefore := p.stats()
			rounds := 0
			unpin := pinToOneCPU(t)
			for ; rounds < maxRounds; rounds++ {
				if rounds%1024 == 0 && rounds >= minRounds && gcCount()-gcBefore >= minGCs {
					break
				}
				tk := p.get()
				garbageSink = make([]byte, 512)
				p.put(tk)
			}
			unpin()
			after, stats := rseq.Status(), p.stats()
			misses := stats.Misses - statsBefore.Misses
			gcs := gcCount() - gcBefore
			t.Logf("%d rounds, %d GCs, %d misses, marking-protocol ops %d, shard ops %d, aborted ops %d, threads failed %d; %v",
				rounds, gcs, misses, after.MarkingOps-before.MarkingOps, after.ShardOps-before.ShardOps, after.AbortedOps-before.AbortedOps, after.ThreadsFailed, after)
			if gcs < minGCs {
				t.Fatalf("only %d collections in %d rounds at GOGC=1: the loop did not make the GC mark", gcs, rounds)
			}
			if !rseq.Enabled() {
				return // the fallback: its hit rate is TestPoolKeepsHotValuesGC's business
			}
			if after.ShardOps > before.ShardOps && after.ThreadsFailed > 0 {
				t.Logf("this thread cannot run sections (%s): it uses the fallback", after.ThreadFailReason)
				return
			}
			if after.MarkingOps == before.MarkingOps {
				t.Errorf("no operation ran while the GC was marking: the test did not test the marking protocol")
			}
			// The first Get misses; under -race, Put drops a quarter of the
			// values on purpose (as sync.Pool does), and each drop is a miss.
			allowed := int64(1)
			if raceEnabled {
				allowed = int64(rounds)/2 + 1 // a quarter of the Puts are dropped
			}
			if misses > allowed {
				t.Errorf("%d of %d Gets missed (allowed %d): values cached on this CPU were not found while the GC marked",
					misses, rounds, allowed)
			}
		})
	}
}

// TestOwnershipStressMarkingGC is the ownership stress with garbage on
// every Get and GOGC=1, so that the collector marks most of the time and
// values move through the per-CPU stacks under the marking protocol. A
// value the collector missed would be freed while pooled: clobberfree (CI
// runs this under GODEBUG=gccheckmark=1,clobberfree=1) overwrites it, and
// its holder word then reads as held; gccheckmark reports it directly.
func TestOwnershipStressMarkingGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	cfg := stressConfig{workers: 4 * runtime.NumCPU(), iterations: 20000, hold: 12, garbage: 512}.scaled()
	for name, p := range tokenPools() {
		t.Run(name, func(t *testing.T) {
			before := rseq.Status()
			stress(t, p, cfg)
			after := rseq.Status()
			t.Logf("marking-protocol ops %d, shard ops %d", after.MarkingOps-before.MarkingOps, after.ShardOps-before.ShardOps)
			if rseq.Enabled() && after.MarkingOps == before.MarkingOps {
				t.Errorf("no operation ran while the GC was marking: the test did not test the marking protocol")
			}
		})
	}
}

// gcCount returns the number of completed collections, without stopping
// the world.
func gcCount() uint64 {
	sample := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}
