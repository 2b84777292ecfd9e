package alloc

import "github.com/gorseq/percpu/rseq"

// SetPerCPUBudget bounds the memory that the per-CPU stacks of all pools of
// the process (Pool, PoolOf and Buffers together) may grow to on one CPU,
// in bytes, and returns the previous bound; the default is
// rseq.DefaultPerCPUBudget, 1 MiB. A pool's stack on a CPU starts at
// StartPerCPU values whatever the budget (256 bytes: without a stack the
// pool could not use the CPU at all) and doubles toward its per-CPU limit
// only while that CPU stays within the budget. Lowering the budget stops
// growth; it does not shrink stacks (an idle pool's stacks are given back
// when it is released).
func SetPerCPUBudget(bytes int64) (previous int64) { return rseq.SetPerCPUBudget(bytes) }

// PerCPUMemory returns the bytes that the per-CPU stacks of all pools hold
// on the CPU that holds the most, and on all CPUs together.
func PerCPUMemory() (most, total int64) { return rseq.PerCPUHeld() }
