package arch

import "strconv"

// Status is what a section reports: the outcome in the low byte and the
// number of aborts the call took in the next byte.
type Status uint32

// Outcomes. Committed is zero, so a fast path tests "st == 0" and treats any
// other value, including a commit that took aborts, in its slow path.
const (
	Committed    Status = iota // the section's store committed
	Empty                      // nothing to pop
	Full                       // no room to push
	Stopped                    // another thread owns this CPU's data for now
	GCMarking                  // the write barrier is on: Go pointers may not move here
	Aborted                    // the section aborted maxRetries times in a row
	Unregistered               // this thread has no rseq area yet (own registration)
	Unavailable                // this thread cannot run sections: use the fallback
)

// maxRetries bounds how often one call restarts its section (the assembly
// reads it from go_asm.h, as it reads every status code).
const maxRetries = 16

// Outcome is the status without the abort count.
func (s Status) Outcome() Status { return s & 0xff }

// Aborts is the number of times the section restarted during the call.
func (s Status) Aborts() int { return int(s>>8) & 0xff }

var outcomeNames = [...]string{"committed", "empty", "full", "stopped", "gc-marking", "aborted-too-often", "unregistered", "unavailable"}

func (s Status) String() string {
	o := s.Outcome()
	name := "status(" + strconv.Itoa(int(o)) + ")"
	if int(o) < len(outcomeNames) {
		name = outcomeNames[o]
	}
	if n := s.Aborts(); n > 0 {
		name += "+" + strconv.Itoa(n) + " aborts"
	}
	return name
}
