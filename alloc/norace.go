//go:build !race

package alloc

// raceDropPut never drops a Put without the race detector (see race.go).
func raceDropPut() bool { return false }
