package stresstest

import (
	"runtime"
	"time"
)

// CollectGarbage starts a disturber that, once every interval, allocates
// garbage objects of 128 bytes (work for the sweeper and the allocator
// while the collector runs) and runs a collection. It counts the
// collections.
func CollectGarbage(interval time.Duration, garbage int) *Disturber {
	return Every("GCs", interval, func() int {
		Collect(garbage)
		return 1
	})
}

// Collect allocates garbage objects of 128 bytes, drops them, and runs a
// collection.
func Collect(garbage int) {
	sink := make([]*[128]byte, garbage)
	for i := range sink {
		sink[i] = new([128]byte)
	}
	runtime.GC()
}
