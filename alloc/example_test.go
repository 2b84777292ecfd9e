package alloc_test

import (
	"bytes"
	"fmt"

	"github.com/gorseq/percpu/alloc"
)

func ExamplePool() {
	// The same code as with sync.Pool: only the type changed.
	var buffers = alloc.Pool{New: func() any { return new(bytes.Buffer) }}

	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString("hello")
	fmt.Println(b.String())
	buffers.Put(b)
	// Output: hello
}

func ExamplePool_limits() {
	p := alloc.Pool{PerCPU: 16, Depot: 64} // 16 values per CPU, 64 in the depot
	for i := 0; i < 1000; i++ {
		p.Put(new(int))
	}
	s := p.Stats()
	fmt.Println(s.Drops > 0, s.Cached < 1000)
	// Output: true true
}

func ExamplePoolOf() {
	// Typed, and a Put of a []byte allocates nothing.
	scratch := alloc.PoolOf[[]byte]{New: func() []byte { return make([]byte, 0, 4096) }}

	buf := scratch.Get()[:0]
	buf = append(buf, "request body"...)
	fmt.Println(len(buf), cap(buf))
	scratch.Put(buf)
	// Output: 12 4096
}

func ExampleBuffers() {
	var pool alloc.Buffers

	b := pool.Get(1000) // length 1000, capacity 1024: its size class
	fmt.Println(len(b), cap(b))
	pool.Put(b)

	huge := pool.Get(8 << 20) // above Max: a plain slice, dropped by Put
	fmt.Println(len(huge) == cap(huge))
	pool.Put(huge)
	fmt.Println(pool.Stats().Drops)
	// Output:
	// 1000 1024
	// true
	// 1
}

func ExampleArena() {
	type span struct {
		Start, End int64
		Depth      int32
	}
	// One arena per request: allocate freely, free everything at the end.
	var a alloc.Arena
	defer a.Free()

	root := alloc.New[span](&a)
	root.End = 100
	children := alloc.MakeSlice[span](&a, 0, 8)
	for i := int64(0); i < 3; i++ {
		children = append(children, span{Start: i * 10, End: i*10 + 5, Depth: 1})
	}
	fmt.Println(*root, len(children), children[2].End)
	// Output: {0 100 0} 3 25
}

func ExamplePool_CountHits() {
	p := alloc.Pool{New: func() any { return new(int) }}
	p.CountHits(true)

	for i := 0; i < 100; i++ {
		v := p.Get()
		p.Put(v)
	}
	s := p.Stats()
	fmt.Println(s.Hits+s.Misses, s.Misses > 0)
	// Output: 100 true
}

func ExamplePublish() {
	var p alloc.Pool
	alloc.Publish("example.pool", p.Stats) // now at /debug/vars
	fmt.Println(p.Stats().Cached)
	// Output: 0
}
