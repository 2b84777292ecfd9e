package slab_test

import (
	"encoding/json"
	"expvar"
	"fmt"
	"unsafe"

	"github.com/gorseq/percpu/slab"
)

// Entry is a pointer-free record: fixed-size arrays and numbers only.
type Entry struct {
	Key     [24]byte
	Value   uint64
	Expires int64
}

func ExampleNewCache() {
	a, err := slab.New(slab.Options{})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	entries, err := slab.NewCache[Entry](a)
	if err != nil {
		panic(err)
	}
	e := entries.New() // zeroed, off the Go heap
	copy(e.Key[:], "user:42")
	e.Value = 7
	fmt.Println(string(e.Key[:7]), e.Value)
	entries.Free(e)
	// Output: user:42 7
}

func ExampleNewCache_rejected() {
	a, err := slab.New(slab.Options{})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	type Session struct {
		ID   uint64
		User string // a Go pointer: the GC would not see it
	}
	_, err = slab.NewCache[Session](a)
	fmt.Println(err)
	// Output: slab: type slab_test.Session has Go pointers at Session.User (string); memory the garbage collector does not scan cannot hold them
}

func ExampleAllocator_Bytes() {
	a, err := slab.New(slab.Options{})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	frame := a.Bytes(1500)
	n := copy(frame, "GET / HTTP/1.1\r\n")
	fmt.Println(len(frame), cap(frame), string(frame[:n-2]))
	a.FreeBytes(frame)
	// Output: 1500 1536 GET / HTTP/1.1
}

func ExampleAllocator_Alloc() {
	a, err := slab.New(slab.Options{})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	p := a.Alloc(64) // contents undefined
	counters := (*[8]uint64)(p)
	*counters = [8]uint64{}
	counters[3]++
	fmt.Println(counters[3])
	a.Free(unsafe.Pointer(counters))
	// Output: 1
}

func ExampleAllocator_Release() {
	a, err := slab.New(slab.Options{})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	objs := make([]unsafe.Pointer, 10000)
	for i := range objs {
		objs[i] = a.Alloc(256)
	}
	for _, p := range objs {
		a.Free(p)
	}
	a.Release() // caches drained, every span's memory back to the system
	st := a.Stats()
	fmt.Println(st.InUse, st.Cached, st.Resident)
	// Output: 0 0 0
}

func ExamplePublish() {
	a, err := slab.New(slab.Options{})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	slab.Publish("example.slab", a.Stats) // now at /debug/vars
	v := expvar.Get("example.slab")
	p := a.Alloc(100)
	var st slab.Stats
	if err := json.Unmarshal([]byte(v.String()), &st); err != nil {
		panic(err)
	}
	fmt.Println(st.Classes[0].Size, st.InUse)
	a.Free(p)
	// Output: 112 112
}
