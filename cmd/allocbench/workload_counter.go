package main

// counter: every goroutine adds 1 to one shared counter, as a service counts
// requests or bytes: an operation is one Add. On one P it is the cost of an
// add; on more, what the counter does when every CPU adds to it at once.
// Nothing is pooled, so the table shows no hit rate.
var counterWorkload = Workload{
	Name:  "counter",
	Bench: "Counter",
	About: "concurrent adds of 1 to one counter on every P",
	Uses:  shapeCounter,
	Prepare: func(t *Target) func(n int) {
		return func(n int) { parallel(t.Procs, n, func(_, ops int) { t.Counter.adds(ops) }) }
	},
}
