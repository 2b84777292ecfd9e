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
	b := pool.Get(1000) // length 1000, capacity 1024 (its size class)
	fmt.Println(len(b), cap(b))
	pool.Put(b)
	// Output: 1000 1024
}
