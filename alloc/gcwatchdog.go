package alloc

import (
	"sync/atomic"
	"time"
)

// A sentinel's cleanup can be stranded. The runtime (Go 1.26) queues
// cleanups in a per-P block while it sweeps, and flushes the blocks of the
// Ps in allp when sweeping ends; a P removed by a GOMAXPROCS decrease in
// between keeps its block (proc.go's destroy does not flush it) until
// GOMAXPROCS grows back over that P. The tests, which change GOMAXPROCS
// during collections, saw the hook stop that way. So a watchdog timer
// checks, every watchInterval while caches exist, that the hook ran within
// two cycles of its arming, and arms a new sentinel if not; generations let
// a stranded cleanup that runs late do nothing.
const watchInterval = time.Second

// armedGen numbers the armings; firedGen is the newest one whose hook ran.
var armedGen, firedGen atomic.Uint64

// watch re-arms the hook when its sentinel has gone two cycles without
// running it, and keeps watching while caches exist.
func watch() {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if len(registry.caches) == 0 {
		registry.watching = false
		return
	}
	if registry.armed && completedCycles() >= registry.armedAt+2 {
		stranded.Add(1)
		arm()
	}
	time.AfterFunc(watchInterval, watch)
}

// stranded counts the sentinels the watchdog gave up on.
var stranded atomic.Int64
