package stresstest

import (
	"runtime"
	"time"
)

// CollectGarbage starts a disturber that, once every interval, allocates
// garbage objects of 64 bytes (a heap for the collector to mark) and runs
// a collection. It counts the collections.
func CollectGarbage(interval time.Duration, garbage int) *Disturber {
	return Every("GCs", interval, func() int {
		Collect(garbage)
		return 1
	})
}

// Collect allocates garbage objects of 64 bytes and runs a collection.
func Collect(garbage int) {
	sink := make([]*[64]byte, garbage)
	for i := range sink {
		sink[i] = new([64]byte)
	}
	runtime.GC()
	runtime.KeepAlive(sink)
}
