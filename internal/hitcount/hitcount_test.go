package hitcount

import (
	"sync"
	"testing"
)

func TestCounter(t *testing.T) {
	var h Counter
	if n := h.Load(); n != 0 {
		t.Fatalf("zero Counter reads %d", n)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				h.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := h.Load(); n != 4000 {
		t.Fatalf("4 goroutines × 1000 Adds: %d", n)
	}
}
