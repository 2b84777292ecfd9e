// Command allocbench compares object pools: this module's per-CPU pools,
// off-heap slab and arena against sync.Pool, a per-P pool built on procPin,
// lock-free stacks and rings, a channel, a mutex, and plain allocation, on
// workloads that stand for how services use pools. It prints a table a person can read at a
// glance, or benchstat's format, or JSON, and can chart each contender's time
// relative to sync.Pool.
//
//	go run ./cmd/allocbench                    # the default set, about 85 s on 2 CPUs
//	go run ./cmd/allocbench -workload all -cpu 1,2,4,8 -count 5 -format benchfmt > new.txt
//	go run ./cmd/allocbench -impl syncpool,perp -workload pair -plot pair.svg
//	go run ./cmd/allocbench -workload kv,kv-memlimit -impl new,slab,allocarena -kvlive 1GiB -cpu 2 -benchtime 3s
//
// The table opens with a summary (each contender's geometric mean ratio to
// sync.Pool over the cells it ran, and its worst cell) and marks with * the
// rows that ran more Ps than the machine has CPUs. The chart (-plot) has a
// panel per workload: bars of each contender's time relative to
// sync.Pool's, on a log scale from the 1× line, this module's contenders in
// blues and the peers in oranges, fallback rows in outline.
//
// # What is measured
//
// A cell is one workload, one contender and one -cpu value. -cpu sets
// GOMAXPROCS, as it does for go test; most workloads run one goroutine per
// P (oversub runs more Ps than CPUs and eight goroutines per P). Each cell
// gets a new, empty instance of the contender, then (in turns with the
// other contenders, below):
//
//  1. Warm-up: the workload runs with growing operation counts, as
//     testing.B does, until one run lasts a quarter of -benchtime. This
//     fills the pool and the caches and measures the rate.
//  2. From that rate, the operation count that lasts -benchtime.
//  3. -count timed runs of that many operations, each after runtime.GC,
//     each read against runtime/metrics before and after: heap allocations
//     (objects and bytes, as runtime.MemStats counts them), GC cycles, the
//     GC's CPU time and its longest pause.
//
// An operation is one value's round trip, one Get and sooner or later one
// Put, in every workload; ns/op is the wall time of a run divided by its
// operations over all goroutines together, so ops/s = 10⁹/(ns/op) is the
// throughput of the whole process. The table shows the median of the runs
// and half their range as ±; benchfmt and JSON keep every run.
//
// The contender makes its new values through a function the harness gives
// it, which counts them (on per-P counter shards, so counting costs every
// contender the same few nanoseconds): the hit rate is 1 - News/Gets. The
// allocation columns include what the workload itself allocates (the GC
// workloads allocate 256 B of garbage per operation), so compare them
// between contenders, not with zero.
//
// The contenders of one workload at one -cpu value take turns: all are
// built and warmed up, then each of -count rounds times one run of every
// contender, round r starting with contender r, so a slow drift of the
// machine (thermal, other tenants, a host's busy minute) slows all of
// them alike instead of whichever ran during it. Every run starts from a
// collected heap, and each but the first follows a brief untimed run (the
// contender sat idle through the others' collections, and a pool may let
// idle values go). In the GC workloads, whose heap must be the cell's own,
// each timed run is of a fresh instance, built and warmed up just before
// it and closed after, alone in the process (so kv fills its cache before
// every timed run: at -kvlive 1GiB, two contenders at -count 3 take 11 s
// where one fill per cell took 3). Workloads, then -cpu values,
// follow one another. Each goroutine of a timed run starts its work at
// another stack depth (package internal/stackshift): where a tight loop's
// frames lie modulo 4 KiB moves its time by chance (by up to 2× here),
// and without the shift every run of a process put a contender at the
// same offset. In pair, the tightest loop, each goroutine splits its run
// over eight depths. On a shared or virtual machine, compare ± before
// reading small differences.
//
// # Workloads
//
// pair (Get, write, Put: the fast path), burst (64 Gets then 64 Puts),
// prodcons (Gets on producers, Puts on consumers, records crossing Ps in
// batches), oversub (more Ps than CPUs: the OS preempts pool operations),
// gcpressure (bursts with two forced GCs between them: what sync.Pool's
// victim cache does not survive), liveset (a large live set replaced at
// random, held in the Go heap or, by slab, outside it: GC CPU and pauses),
// arena (requests that free all their values at once: new + GC against
// alloc.Arena and the slab), replay (byte buffers of the sizes in testdata, recorded traces
// written by internal/tracegen), garbage (Get, 512 B of garbage, Put: the
// pool's fast path while the GC marks), overflow and expensive (the
// standard library's BenchmarkPoolOverflow and BenchmarkPoolExpensiveNew),
// logger (JSON log calls taking an entry, an encoder and a buffer from
// pools; an operation is one call), counter (concurrent adds to one
// counter, for the counter contenders; an operation is one Add), and kv and
// kv-memlimit (a key-value cache service: -kvlive bytes of records in a map
// from key to handle, 90% of requests copying a record into a response and
// 10% replacing one; an operation is one request, and the table adds the
// GC's share of the CPU and the p50 and p99 request latency, sampled one
// request in 64; kv runs GOGC=100, kv-memlimit GOGC=off under a memory
// limit that gives every contender the same total memory). The
// default set is pair, burst, prodcons, gcpressure and replay; -workload
// all runs every one. allocbench -h lists them with a line on each;
// workload_NAME.go says more.
//
// The workloads' inner loops run in each contender's own code, with static
// calls to the pool or counter: loopgen copies the marked loops into
// loops_gen.go (loops.go says why: through the Pool interface the dispatch
// cost 4–6 ns a round trip, not the same for every pool). Only logger calls
// through the interfaces.
//
// # Contenders
//
// Each contender is a file, contender_NAME.go, that registers a Contender
// from its init function with constructors for the shapes it offers: a Pool
// of 64-byte *Item records, a BufferPool of byte buffers, Arenas, or a
// Counter. Besides this module's, the peers are sync.Pool, a typed generic
// wrapper around it, ByteDance's syncx.Pool, a per-P pool on procPin, lock-free
// stacks and rings, a channel, a mutex and plain allocation; for counters,
// atomic.Int64 and xsync.Counter beside rseq.Counter. Every
// bounded pool keeps at most 4096 records. The off-heap contenders, slab
// (slab.Cache[Item]: Get allocates a zeroed record, Put frees it) and
// allocarena (alloc.Arena), make their records outside the Go heap
// themselves: they count no new values, and the table shows them no hit
// rate. In the kv workloads new keeps the records and the responses on the
// Go heap, slab keeps the records in the slab (the map holds plain-integer
// handles), and allocarena builds each request's buffers in an arena,
// keeping the records on the Go heap. This module's own pools read
// PERCPU_RSEQ at start-up, so -impl NAME/fallback runs NAME again in a child
// process (this program, re-executed with PERCPU_RSEQ=off and -format json)
// and merges its results; the header prints each process's rseq mode. When
// this process runs sync.Pool, the child runs it too (syncpool/fallback),
// and the fallback rows are compared with that one: two processes run one
// after the other on a shared machine differ by more than the rows do.
package main
