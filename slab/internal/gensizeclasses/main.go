// Command gensizeclasses writes slab's size-class table, sizeclasses.go.
//
// Run it through go generate from the slab directory:
//
//	go generate ./slab
//
// # How the classes are chosen
//
// Sizes are multiples of 8 up to 64, of 16 up to 128, and above that four
// classes per doubling (a quarter of the power of two apart), up to
// maxSize: the waste inside an object is at most about a fifth. Every class
// gets the smallest span (a whole number of pages) that holds at least
// minObjects(size) objects and wastes at most an eighth of itself in its
// tail. For each class the table records the worst-case waste: the share of
// the span lost when every object holds a request one byte larger than the
// class below.
//
// Each class also gets a batch (objects moved between a CPU's cache and the
// depot at once, TCMalloc's num_objects_to_move) and a per-CPU capacity
// (the most objects a CPU may cache, before the byte budget applies). The
// capacities are chosen so that one CPU's stacks fit in 256 KiB of slots.
//
// The generator checks what the allocator relies on: the lookup tables map
// every size to the smallest class that holds it, and the division magic
// gives the exact object index for every byte of every span.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
)

const (
	pageShift    = 13 // 8 KiB pages, the unit of spans and of the page map
	pageSize     = 1 << pageShift
	maxSize      = 256 << 10 // largest class; anything bigger is a large object
	maxSpanBytes = 1 << 20   // spans of several objects stay at most this big
	divShift     = 40        // index = off * divMul >> divShift
	batchBytes   = 64 << 10  // a batch moves about this many bytes...
	maxBatch     = 32        // ...but at most this many objects
	cachedBytes  = 1 << 20   // a CPU's capacity for a class is about this many bytes...
	maxCached    = 1024      // ...but at most this many objects
	slotBudget   = 30 << 10  // total per-CPU slots (8 bytes each) over all classes
	lookup8Max   = 1024      // sizes up to this are looked up in steps of 8
	lookup128Max = 32 << 10  // then in steps of 128, then of 1024
)

type class struct {
	size, spanBytes, objects, tail int
	maxWaste                       float64 // percent
	divMul                         uint64
	batch, capacity                int
}

func main() {
	out := flag.String("o", "sizeclasses.go", "output file")
	flag.Parse()
	classes := makeClasses()
	if err := check(classes); err != nil {
		log.Fatal(err)
	}
	src, err := format.Source(render(classes))
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func classSizes() []int {
	var sizes []int
	for s := 8; s <= 64; s += 8 {
		sizes = append(sizes, s)
	}
	for s := 80; s <= 128; s += 16 {
		sizes = append(sizes, s)
	}
	for p := 128; p < maxSize; p *= 2 {
		for q := 1; q <= 4; q++ {
			sizes = append(sizes, p+q*p/4)
		}
	}
	return sizes
}

// minObjects is how many objects a span of the class should hold at least:
// enough that the central lists are not visited for every batch.
func minObjects(size int) int {
	return max(1, min(8, maxSpanBytes/size))
}

func makeClasses() []class {
	var classes []class
	prev := 0
	for _, size := range classSizes() {
		c := class{size: size}
		for pages := 1; ; pages++ {
			span := pages * pageSize
			n := span / size
			if n >= minObjects(size) && (span-n*size)*8 <= span {
				c.spanBytes, c.objects, c.tail = span, n, span-n*size
				break
			}
		}
		used := c.objects * (prev + 1)
		c.maxWaste = 100 * float64(c.spanBytes-used) / float64(c.spanBytes)
		c.divMul = (1<<divShift + uint64(size) - 1) / uint64(size)
		c.batch = max(1, min(maxBatch, batchBytes/size))
		c.capacity = max(2*c.batch, min(maxCached, cachedBytes/size))
		classes = append(classes, c)
		prev = size
	}
	// Scale the small classes' capacities down until the slots fit.
	for total(classes) > slotBudget {
		for i := range classes {
			if classes[i].capacity > 2*classes[i].batch && classes[i].capacity > 64 {
				classes[i].capacity -= classes[i].capacity / 16
			}
		}
	}
	return classes
}

func total(classes []class) int {
	n := 0
	for _, c := range classes {
		n += c.capacity
	}
	return n
}

// classFor is the reference lookup the tables must agree with.
func classFor(classes []class, size int) int {
	for i, c := range classes {
		if size <= c.size {
			return i
		}
	}
	return -1
}

func check(classes []class) error {
	if len(classes) > 255 {
		return fmt.Errorf("%d classes do not fit a uint8", len(classes))
	}
	for i, c := range classes {
		if c.size%8 != 0 {
			return fmt.Errorf("class %d: size %d is not a multiple of 8", i, c.size)
		}
		if c.size > lookup8Max && c.size%128 != 0 || c.size > lookup128Max && c.size%1024 != 0 {
			return fmt.Errorf("class %d: size %d does not fall on its lookup table's step", i, c.size)
		}
		for obj := 0; obj < c.objects; obj++ {
			for _, off := range []int{obj * c.size, obj*c.size + c.size - 1} {
				if got := int(uint64(off) * c.divMul >> divShift); got != obj {
					return fmt.Errorf("class %d: offset %d divides to %d, want %d", i, off, got, obj)
				}
			}
		}
	}
	if classes[len(classes)-1].size != maxSize {
		return fmt.Errorf("largest class is %d, want %d", classes[len(classes)-1].size, maxSize)
	}
	return nil
}

func render(classes []class) []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("// Code generated by go run ./internal/gensizeclasses; DO NOT EDIT.\n\n")
	p("package slab\n\n")
	p("// The size classes. Columns: the object size; the span size; objects per\n")
	p("// span; bytes lost at the span's tail; the worst-case waste (every object\n")
	p("// holding a request one byte larger than the class below, tail included);\n")
	p("// the batch moved between a CPU's cache and the depot; the per-CPU capacity.\n")
	p("//\n")
	p("// class  bytes/obj  bytes/span  objects  tail waste  max waste  batch  capacity\n")
	for i, c := range classes {
		p("// %5d  %9d  %10d  %7d  %10d  %8.2f%%  %5d  %8d\n", i, c.size, c.spanBytes, c.objects, c.tail, c.maxWaste, c.batch, c.capacity)
	}
	p("//\n// Per-CPU slots over all classes: %d (%d KiB).\n", total(classes), total(classes)*8>>10)
	p("\nconst (\n")
	p("numClasses = %d\n", len(classes))
	p("maxSmallSize = %d // the largest class; bigger requests are large objects\n", maxSize)
	p("pageShift = %d\n", pageShift)
	p("pageSize = 1 << pageShift\n")
	p("divShift = %d // an object's index in its span is off * divMul >> divShift\n", divShift)
	p("maxBatch = %d\n", maxBatch)
	p("lookup8Max = %d\n", lookup8Max)
	p("lookup128Max = %d\n", lookup128Max)
	p(")\n\n")
	p("var classes = [numClasses]classInfo{\n")
	for _, c := range classes {
		p("{size: %d, spanPages: %d, objects: %d, divMul: %d, batch: %d, capacity: %d, maxWaste: %.2f},\n",
			c.size, c.spanBytes/pageSize, c.objects, c.divMul, c.batch, c.capacity, c.maxWaste)
	}
	p("}\n\n")
	table := func(name string, step, lo, hi int) {
		p("// %s maps (size-%d+%d)/%d to a class, for sizes in (%d, %d].\n", name, lo, step-1, step, lo, hi)
		p("var %s = [...]uint8{", name)
		for i := 0; lo+i*step <= hi; i++ {
			size := max(lo+i*step, 1)
			if i%16 == 0 {
				p("\n")
			}
			p("%d, ", classFor(classes, size))
		}
		p("\n}\n\n")
	}
	table("sizeToClass8", 8, 0, lookup8Max)
	table("sizeToClass128", 128, lookup8Max, lookup128Max)
	table("sizeToClass1024", 1024, lookup128Max, maxSize)
	return b.Bytes()
}
