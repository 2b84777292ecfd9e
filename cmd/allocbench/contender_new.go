package main

// Plain allocation, the baseline: every Get is a new value, every Put drops
// it for the garbage collector, and an arena's Free forgets its values. In
// the kv workloads, records and responses are all on the Go heap.
func init() {
	register(Contender{
		Name:          "new",
		About:         "new/make + GC, no pool (the baseline)",
		Baseline:      true,
		NewPool:       func(newItem func() *Item) Pool { return newPool(newItem) },
		NewBufferPool: func(newBuffer func(n int) []byte) BufferPool { return makePool(newBuffer) },
		NewArena:      func(newItem func() *Item) Arena { return newArena(newItem) },
		NewKVShard:    newHeapKVShard,
	})
}

// newPool allocates on Get and drops on Put.
type newPool func() *Item

func (p newPool) Get() *Item { return p() }
func (newPool) Put(*Item)    {}

// makePool allocates on GetBytes and drops on PutBytes.
type makePool func(n int) []byte

func (p makePool) GetBytes(n int) []byte { return p(n) }
func (makePool) PutBytes([]byte)         {}

// newArena allocates on New; Free leaves the request's values to the GC.
type newArena func() *Item

func (a newArena) New() *Item { return a() }
func (newArena) Free()        {}
