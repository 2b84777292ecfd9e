package stresstest

import "time"

// SignalStorm starts a disturber that sends SIGURG to every thread of the
// process once every interval. Each signal aborts any restartable
// section running on its thread. It counts the signals sent: none where
// CanSignalThreads is false.
func SignalStorm(interval time.Duration) *Disturber {
	return Every("signals", interval, func() int {
		ids := ThreadIDs()
		for _, tid := range ids {
			SignalThread(tid)
		}
		return len(ids)
	})
}
