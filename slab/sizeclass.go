package slab

//go:generate go run ./internal/gensizeclasses -o sizeclasses.go

// classInfo describes one size class; the generated table classes holds
// them all, smallest first.
type classInfo struct {
	size      uintptr // bytes per object
	spanPages uintptr // pages per span
	objects   uintptr // objects per span
	divMul    uint64  // off * divMul >> divShift is the index of the object at off
	batch     int     // objects moved between a CPU's cache and the depot at once
	capacity  int     // the most objects one CPU may cache (before the byte budget)
	maxWaste  float64 // worst-case waste, in percent of the span
}

// spanBytes is the size of the class's spans.
func (c *classInfo) spanBytes() uintptr { return c.spanPages << pageShift }

// classOf returns the smallest class whose objects hold size bytes; size
// must be at most maxSmallSize.
func classOf(size uintptr) int {
	switch {
	case size <= lookup8Max:
		return int(sizeToClass8[(size+7)>>3])
	case size <= lookup128Max:
		return int(sizeToClass128[(size-lookup8Max+127)>>7])
	}
	return int(sizeToClass1024[(size-lookup128Max+1023)>>10])
}

// SizeClass describes one size class, for tables and tuning.
type SizeClass struct {
	Size      int     // bytes per object
	SpanBytes int     // bytes per span
	Objects   int     // objects per span
	MaxWaste  float64 // worst-case waste in percent of the span, tail included
	Batch     int     // objects moved between a CPU's cache and the depot at once
	Capacity  int     // the most objects one CPU may cache
}

// SizeClasses returns the size classes, smallest first. Requests larger than
// the last one are large objects with spans of their own.
func SizeClasses() []SizeClass {
	out := make([]SizeClass, numClasses)
	for k := range classes {
		c := &classes[k]
		out[k] = SizeClass{Size: int(c.size), SpanBytes: int(c.spanBytes()), Objects: int(c.objects),
			MaxWaste: c.maxWaste, Batch: c.batch, Capacity: c.capacity}
	}
	return out
}

// MaxSmallSize is the largest size served from a size class (256 KiB).
const MaxSmallSize = 256 << 10

// The generated table must agree: an array length is negative otherwise.
var (
	_ [MaxSmallSize - maxSmallSize]struct{}
	_ [maxSmallSize - MaxSmallSize]struct{}
)
