// Package stackshift runs code at chosen depths of the goroutine's stack,
// so that a benchmark measures a loop at many stack offsets instead of the
// one its callers happen to put it at.
//
// Where a tight loop's stack frames lie decides, by chance, how fast it
// runs. On x86 a load whose address has the same low 12 bits as a store
// still in flight waits for that store as if it read what the store wrote
// (Intel calls it 4K aliasing; similar false dependences exist elsewhere).
// A pool's hit path stores to its frames (return addresses, registers
// saved around its calls to pin the P) and loads from its shard, its slot
// and the value, so whether any of those meet depends on where the stack
// sits modulo 4 KiB. That is fixed for a given code path: every
// goroutine's stack starts at the top of a page-aligned block, so a loop's
// frames land at the same offsets in every run of a process, and move only
// when some frame above it changes size. Two builds of one benchmark, or
// two contenders in one binary, can then differ by what their frames'
// offsets happen to be, not by what their code does.
//
// Measured on an Intel Xeon VM (2 vCPUs, Go 1.26), a Get+Put loop run in a
// fresh goroutine at 128 depths 32 bytes apart (one page of offsets):
// sync.Pool 12.3–16.8 ns, median 15.0; alloc.Pool 11.1–32.5 ns, median
// 11.7; slab's Alloc+Free with the fallback forced 15.4–19.2 ns, median
// 15.9, and 26–31 ns at the depth slab's BenchmarkPair first put it at,
// where it read 1.9× sync.Pool's time against 1.3× at the median.
//
// So the benchmarks that compare the project with its rivals run their
// timed loops through On at the depths Next hands out, spread over one
// period of the aliasing: a row's runs (or a run's chunks, Spread) sample
// many offsets, and a median or mean over them is the typical offset's
// time, not one chance offset's. Frame measures one level's size at first
// use, so Levels covers 4 KiB on every architecture.
package stackshift
