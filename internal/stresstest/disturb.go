package stresstest

import (
	"fmt"
	"sync/atomic"
	"time"
)

// A Disturber runs a step in a loop on its own goroutine until stopped,
// and counts what the steps did.
type Disturber struct {
	what  string
	count atomic.Int64
	stop  chan struct{}
	done  chan struct{}
}

// Every starts a disturber that calls step once every interval (as fast
// as it can if interval is 0) until Stop. Each step returns how many
// disturbances it made (signals sent, collections run), which the
// disturber adds up; what names them in String.
func Every(what string, interval time.Duration, step func() int) *Disturber {
	return start(what, interval, step, nil)
}

// start is Every with a function run when the disturber stops, before Stop
// returns.
func start(what string, interval time.Duration, step func() int, atStop func()) *Disturber {
	d := &Disturber{what: what, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(d.done)
		if atStop != nil {
			defer atStop()
		}
		for {
			if interval > 0 {
				select {
				case <-d.stop:
					return
				case <-time.After(interval):
				}
			} else {
				select {
				case <-d.stop:
					return
				default:
				}
			}
			d.count.Add(int64(step()))
		}
	}()
	return d
}

// Count returns how many disturbances the steps have made so far.
func (d *Disturber) Count() int64 { return d.count.Load() }

// Stop stops the disturber, waits for its last step to end and returns
// the count. Stopping twice is allowed.
func (d *Disturber) Stop() int64 {
	select {
	case <-d.stop:
	default:
		close(d.stop)
	}
	<-d.done
	return d.Count()
}

// String is the count and what was counted: "1234 signals".
func (d *Disturber) String() string { return fmt.Sprintf("%d %s", d.Count(), d.what) }

// Disturbers is a set of running disturbers, stopped together.
type Disturbers []*Disturber

// Start adds d to the set and returns it.
func (ds *Disturbers) Start(d *Disturber) *Disturber {
	*ds = append(*ds, d)
	return d
}

// Stop stops every disturber of the set (all are told before any is
// waited for).
func (ds Disturbers) Stop() {
	for _, d := range ds {
		select {
		case <-d.stop:
		default:
			close(d.stop)
		}
	}
	for _, d := range ds {
		d.Stop()
	}
}

// String lists the counts: "1234 signals, 56 GCs".
func (ds Disturbers) String() string {
	s := ""
	for i, d := range ds {
		if i > 0 {
			s += ", "
		}
		s += d.String()
	}
	return s
}
