package slab

import "testing"

func TestClassOfEverySize(t *testing.T) {
	for size := uintptr(0); size <= maxSmallSize; size++ {
		k := classOf(size)
		if classes[k].size < size || k > 0 && classes[k-1].size >= size {
			t.Fatalf("classOf(%d) = %d (size %d), not the smallest class that holds it", size, k, classes[k].size)
		}
	}
}

// TestDivMulExact checks the span-index magic for every object start and
// the byte before the next, so Free's interior-pointer check is exact.
func TestDivMulExact(t *testing.T) {
	for k, c := range classes {
		s := &span{base: 1 << 30, elemSize: c.size, divMul: c.divMul, nelems: c.objects, class: k}
		for i := uintptr(0); i < c.objects; i++ {
			start := s.base + i*c.size
			if j, ok := s.index(start); !ok || j != i {
				t.Fatalf("class %d: index(start of %d) = %d, %v", k, i, j, ok)
			}
			if _, ok := s.index(start + c.size - 1); ok && c.size > 1 {
				t.Fatalf("class %d: the last byte of object %d passes as a start", k, i)
			}
		}
		if _, ok := s.index(s.base + c.objects*c.size); ok {
			t.Fatalf("class %d: the span's tail passes as an object", k)
		}
	}
}

func TestSizeClassTable(t *testing.T) {
	sc := SizeClasses()
	if len(sc) != numClasses || sc[0].Size != 8 || sc[len(sc)-1].Size < 256<<10 {
		t.Fatalf("classes from %d to %d bytes (%d of them), want 8 B to at least 256 KiB", sc[0].Size, sc[len(sc)-1].Size, len(sc))
	}
	prev := 0
	slots := 0
	for k, c := range sc {
		if c.Objects*c.Size > c.SpanBytes || c.SpanBytes%pageSize != 0 {
			t.Errorf("class %d: %d objects of %d bytes in a %d-byte span", k, c.Objects, c.Size, c.SpanBytes)
		}
		// The recorded worst case: every object holds prev+1 bytes.
		waste := 100 * float64(c.SpanBytes-c.Objects*(prev+1)) / float64(c.SpanBytes)
		if diff := waste - c.MaxWaste; diff > 0.01 || diff < -0.01 {
			t.Errorf("class %d: max waste recorded %.2f%%, computed %.2f%%", k, c.MaxWaste, waste)
		}
		if c.Batch < 1 || c.Batch > maxBatch || c.Capacity < c.Batch {
			t.Errorf("class %d: batch %d, capacity %d", k, c.Batch, c.Capacity)
		}
		slots += c.Capacity
		prev = c.Size
	}
	if slots*8 > 256<<10 {
		t.Errorf("per-CPU stacks need %d KiB, want at most 256", slots*8>>10)
	}
}
