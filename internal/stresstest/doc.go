// Package stresstest is the harness the stress tests of rseq, slab and
// alloc share. It is imported by tests only.
//
// The tests follow the kernel's rseq param_test: far more workers than
// CPUs hand tokens to one another through the structure under test, while
// disturbers widen every window a bug could hide in, and the only
// assertion is conservation: no token is ever held twice, none is lost.
// Aborts and retries are logged, never asserted.
//
// The harness has three parts.
//
// Workers (workers.go). [Workers] runs n workers, each on a goroutine of
// its own, and waits for them. A worker is an ordinary goroutine
// ([Unlocked]), owns its OS thread while it runs ([Locked]), or owns it
// and lets it die with the goroutine ([LockedExit]: thread churn, a new
// thread registers for every such worker). [Repeat] and [Loop] run a
// worker's steps; they yield every 64 steps, so that disturbers run even
// at GOMAXPROCS=1, and Loop can go on past its minimum until the
// disturbers have done enough.
//
// Disturbers (disturb.go, signals.go and signals_*.go, gomaxprocs.go,
// gcloop.go). A [Disturber] runs a step in a loop on its own goroutine
// until stopped, and counts what its steps did, so a test can show that
// the disturbance it relies on happened while its workers ran: a stress
// test whose storm never fired passes without testing anything.
// [SignalStorm] sends SIGURG, which the Go runtime tolerates at any rate,
// with tgkill to every thread of the process; each signal aborts whatever
// restartable section it lands in. Where threads cannot be signalled one
// by one (every system but Linux) the storm runs and counts nothing.
// [FlipGOMAXPROCS] changes the number of Ps, and with it the CPU or shard
// a goroutine uses. [CollectGarbage] runs the collector in a loop, so that
// values move through the structures while it marks. [Every] runs any
// other step the same way: a drain, a Release. [Disturbers] stops a set of
// them together.
//
// The ledger (ledger.go). A [Ledger] records which worker holds each
// token. A worker claims a token when the structure hands it out and
// releases it just before handing it back; a claim that finds the token
// held is a double hand-out, reported with the token and both workers. At
// the end [Ledger.Conserve] counts every token across what the workers
// still hold and what a final drain of the structure returned: a token
// seen nowhere was lost, one seen twice duplicated, and the report lists
// them. Tokens are numbered by the ledger, or carry their holder word
// themselves ([Holder]), as pooled values do, so that a value the
// collector wrongly freed and clobbered reads as held. [Ledger.Fail]
// records a violation only the test can see (a corrupt payload) in the
// same report.
//
// Besides the three, [MarkedThroughout] (barrier.go) tells whether a call
// ran with the collector marking from its start to its end, so that a test
// can check that a section storing Go pointers without write barriers
// never committed then: a gate no ownership stress reliably catches
// missing.
package stresstest
