package rseq_test

import (
	"fmt"
	"sync"

	"github.com/gorseq/percpu/rseq"
)

func ExampleCounter() {
	requests := rseq.NewCounter()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				requests.Add(1) // one restartable section: no atomic, no lock
			}
		}()
	}
	wg.Wait()
	fmt.Println(requests.Load())
	// Output: 8000
}

func ExampleWordStacks() {
	// One member (a stack per CPU) holding up to 4 words.
	s := rseq.NewWordStacks([]int{4})
	s.Push(0, 42) // onto the calling CPU's stack
	// A Pop could run on another CPU; Drain takes every CPU's words.
	s.Drain(func(member int, words []uintptr) { fmt.Println(member, words) })
	// Output: 0 [42]
}

func ExampleStatus() {
	// Prints, for example, "glibc registration, index mm_cid (2 slots),
	// membarrier fence", or "fallback: PERCPU_RSEQ=off".
	fmt.Println(rseq.Status())
}
