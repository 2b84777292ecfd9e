package alloc

import (
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/arch"
	"github.com/gorseq/percpu/rseq"
)

// PoolOf is a typed Pool: the same guarantees, no interface boxing. Put of a
// pointer-shaped T (pointer, map, chan, func, unsafe.Pointer), of a slice or
// string, or of an interface type allocates nothing; any other T is copied
// into a new heap box on Put.
//
// The zero PoolOf is ready to use. PerCPU and Depot, when set before first
// use, bound the values cached per CPU and the batches in the depot.
//
// A PoolOf must not be copied after first use.
type PoolOf[T any] struct {
	noCopy noCopy

	c     atomic.Pointer[cache]
	once  sync.Mutex
	shape shape

	// New optionally specifies a function to generate a value when Get
	// would otherwise return the zero value.
	New func() T

	PerCPU int // values per CPU (default DefaultPerCPU)
	Depot  int // batches of values in the depot (default DefaultDepot)
}

// shape says how a T travels in an entry.
type shape uint8

const (
	shapeBoxed   shape = iota // P points to a heap copy of the value
	shapePointer              // P is the value's only word
	shapeSlice                // P, N0, N1 are data, len, cap
	shapeString               // P, N0 are data, len
	shapeIface                // Aux, P are the interface's two words
)

func shapeOf[T any]() shape {
	switch reflect.TypeFor[T]().Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Map, reflect.Chan, reflect.Func:
		return shapePointer
	case reflect.Slice:
		return shapeSlice
	case reflect.String:
		return shapeString
	case reflect.Interface:
		return shapeIface
	}
	return shapeBoxed
}

type sliceHeader struct {
	data     unsafe.Pointer
	len, cap uintptr
}

type stringHeader struct {
	data unsafe.Pointer
	len  uintptr
}

// Put adds v to the pool. A value with no data pointer (a nil pointer, map
// or slice, an empty string, a nil interface) is not cached.
func (p *PoolOf[T]) Put(v T) {
	c := p.cache()
	e := p.entry(&v)
	if e.P == nil || raceDropPut() {
		return
	}
	raceRelease(e.P)
	if c.fast != nil && c.touched.Load() { // one section, called directly
		if st := arch.PushEntry(c.fast, e.P, e.Aux, e.N0, e.N1); st != arch.Committed {
			c.putAfter(e, st)
		}
		return
	}
	c.put(0, e)
}

// entry converts *v into an entry without allocating, except for boxed
// shapes. Each conversion reads v through the layout its kind guarantees.
func (p *PoolOf[T]) entry(v *T) rseq.Entry {
	switch p.shape {
	case shapePointer:
		return rseq.Entry{P: *(*unsafe.Pointer)(unsafe.Pointer(v))}
	case shapeSlice:
		h := (*sliceHeader)(unsafe.Pointer(v))
		return rseq.Entry{P: h.data, N0: h.len, N1: h.cap}
	case shapeString:
		h := (*stringHeader)(unsafe.Pointer(v))
		return rseq.Entry{P: h.data, N0: h.len}
	case shapeIface:
		e := (*eface)(unsafe.Pointer(v))
		return rseq.Entry{P: e.data, Aux: e.typ}
	}
	box := new(T)
	*box = *v
	return rseq.Entry{P: unsafe.Pointer(box)}
}

// value converts an entry made by entry back into a T.
func (p *PoolOf[T]) value(e rseq.Entry) (v T) {
	switch p.shape {
	case shapePointer:
		*(*unsafe.Pointer)(unsafe.Pointer(&v)) = e.P
	case shapeSlice:
		*(*sliceHeader)(unsafe.Pointer(&v)) = sliceHeader{data: e.P, len: e.N0, cap: e.N1}
	case shapeString:
		*(*stringHeader)(unsafe.Pointer(&v)) = stringHeader{data: e.P, len: e.N0}
	case shapeIface:
		*(*eface)(unsafe.Pointer(&v)) = eface{typ: e.Aux, data: e.P}
	default:
		v = *(*T)(e.P)
	}
	return v
}

// Get removes a value from the pool and returns it, or returns New() (the
// zero value without New) when the pool has none.
func (p *PoolOf[T]) Get() T {
	c := p.cache()
	if c.fast != nil && c.touched.Load() { // one section, called directly
		ptr, aux, n0, n1, st := arch.PopEntry(c.fast)
		e := rseq.Entry{P: ptr, Aux: aux, N0: n0, N1: n1}
		if st != arch.Committed {
			var ok bool
			if e, ok = c.getAfter(e, st); !ok {
				return p.miss(c)
			}
		}
		raceAcquire(e.P)
		return p.value(e)
	}
	if e, ok := c.get(0); ok {
		raceAcquire(e.P)
		return p.value(e)
	}
	return p.miss(c)
}

// miss returns New's value, or the zero value without New.
func (p *PoolOf[T]) miss(c *cache) T {
	if p.New == nil {
		var zero T
		return zero
	}
	c.stats.news.Add(1)
	return p.New()
}

// Stats reports what the pool has done and holds.
func (p *PoolOf[T]) Stats() Stats { return p.c.Load().snapshot() }

func (p *PoolOf[T]) cache() *cache {
	if c := p.c.Load(); c != nil {
		return c
	}
	p.once.Lock()
	defer p.once.Unlock()
	if c := p.c.Load(); c != nil {
		return c
	}
	p.shape = shapeOf[T]()
	c := newCache(1, p.PerCPU, p.Depot)
	p.c.Store(c)
	return c
}
