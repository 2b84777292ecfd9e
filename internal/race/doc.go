// Package race tells the race detector about values handed from one
// goroutine to another through memory it cannot see synchronize: the
// restartable sequences of package rseq, which alloc's pools also call
// directly. Release marks a value's hand-off (a Put, a Push), Acquire its
// receipt (the Get or Pop that returns it), so that the one happens before
// the other. Without the race build tag both are empty and Enabled is
// false.
//
// As in sync.Pool, the synchronization point is not the value's own
// address, for fear of mixing the hand-offs with other synchronization on
// that address: a value whose first field is a sync.Mutex shares its
// address with the mutex, and acquiring there would order the receiver
// after the mutex's last Unlock, hiding a use of the value after it was
// handed off. The address is hashed to one of a fixed set of words instead,
// and Release merges (a word may stand for several values). Every caller
// uses this package, so a value handed off on one path (alloc's direct
// sections) and received on another (rseq's Pop) meets at the same word.
package race
