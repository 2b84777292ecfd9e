package stresstest

import (
	"runtime"
	"sync"
)

// Thread says how a worker holds its OS thread.
type Thread uint8

const (
	// Unlocked workers are ordinary goroutines.
	Unlocked Thread = iota
	// Locked workers own their thread while they run.
	Locked
	// LockedExit workers own their thread and never give it back: it
	// exits with the goroutine, so each one churns a thread.
	LockedExit
)

// Workers runs body(w) for every w in [0, n), each on its own goroutine
// holding its thread as thread(w) says (all Unlocked if thread is nil),
// and waits for them all.
func Workers(n int, thread func(w int) Thread, body func(w int)) {
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if thread != nil {
				switch thread(w) {
				case Locked:
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
				case LockedExit:
					runtime.LockOSThread()
				}
			}
			body(w)
		}()
	}
	wg.Wait()
}

// LockFirst is a thread function for Workers: the first n workers are
// Locked (LockedExit if exit is set), the rest Unlocked.
func LockFirst(n int, exit bool) func(w int) Thread {
	return func(w int) Thread {
		switch {
		case w >= n:
			return Unlocked
		case exit:
			return LockedExit
		default:
			return Locked
		}
	}
}

// Loop calls step(i) for i from 0 while i < min, and then on, up to max
// steps, while enough (if not nil) reports false; it yields the processor
// before every 64th step so that disturbers run even at GOMAXPROCS=1. It
// returns the number of steps run.
func Loop(min, max int, enough func() bool, step func(i int)) int {
	i := 0
	for ; i < min || enough != nil && i < max && !enough(); i++ {
		if i%64 == 0 {
			runtime.Gosched()
		}
		step(i)
	}
	return i
}

// Repeat calls step(i) for i from 0 to n-1, yielding the processor before
// every 64th step: Loop without an end condition.
func Repeat(n int, step func(i int)) { Loop(n, n, nil, step) }

// Until calls step(i) for i from 0 until stop closes, yielding the
// processor and looking at stop before every 256th step, so that a worker
// whose steps never reach a preemption point does not hold off a collector
// waiting to stop the world.
func Until(stop <-chan struct{}, step func(i int)) {
	for i := 0; ; i++ {
		if i%256 == 0 {
			runtime.Gosched()
			select {
			case <-stop:
				return
			default:
			}
		}
		step(i)
	}
}
