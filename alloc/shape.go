package alloc

import (
	"reflect"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/typecheck"
	"github.com/gorseq/percpu/rseq"
)

// shape says how a PoolOf[T] value travels in an entry. It is decided once
// per pool, from T, when the pool is first used.
type shape uint8

const (
	shapeBoxed   shape = iota // P points to a box (a recycled *T) holding the value
	shapePointer              // P is the value: one pointer word
	shapeSlice                // P, N0, N1 are data, len, cap
	shapeString               // P, N0 are data, len
	shapeIface                // Aux, P are the interface's two words
	shapeInline               // N0, N1 hold the value's bytes; P is &arch.InlineMarker
)

var shapeNames = [...]string{"boxed", "pointer", "slice", "string", "interface", "inline"}

func (s shape) String() string { return shapeNames[s] }

// inlineBytes is the room N0 and N1 give a pointer-free value.
const inlineBytes = 2 * unsafe.Sizeof(uintptr(0))

type inlineWords [2]uintptr

func shapeOf(t reflect.Type) shape {
	switch {
	case isPointerWord(t):
		return shapePointer
	case t.Kind() == reflect.Slice:
		return shapeSlice
	case t.Kind() == reflect.String:
		return shapeString
	case t.Kind() == reflect.Interface:
		return shapeIface
	case t.Size() <= inlineBytes && !typecheck.HasPointers(t):
		return shapeInline
	}
	return shapeBoxed
}

// isPointerWord reports whether a value of t is exactly one pointer word
// (a pointer, map, chan, func, unsafe.Pointer, or a struct or array that
// holds just one of those).
func isPointerWord(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Map, reflect.Chan, reflect.Func:
		return true
	case reflect.Array:
		return t.Len() == 1 && isPointerWord(t.Elem())
	case reflect.Struct:
		if t.Size() != unsafe.Sizeof(uintptr(0)) {
			return false
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.Type.Size() != 0 {
				return isPointerWord(f.Type)
			}
		}
	}
	return false
}

type sliceHeader struct {
	data     unsafe.Pointer
	len, cap uintptr
}

type stringHeader struct {
	data unsafe.Pointer
	len  uintptr
}

// toEntry converts *v, of shape s, into an entry without allocating; for
// the boxed shape it copies *v into box. Each case reads v through the
// layout its kind guarantees.
func toEntry[T any](s shape, v *T, box unsafe.Pointer) rseq.Entry {
	switch s {
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
	case shapeInline:
		var w inlineWords
		*(*T)(unsafe.Pointer(&w)) = *v
		return rseq.Entry{P: unsafe.Pointer(&arch.InlineMarker), N0: w[0], N1: w[1]}
	}
	*(*T)(box) = *v
	return rseq.Entry{P: box}
}

// fromEntry converts an entry made by toEntry back into a T. For the boxed
// shape it also clears the box, which the caller then recycles.
func fromEntry[T any](s shape, e rseq.Entry) (v T) {
	switch s {
	case shapePointer:
		*(*unsafe.Pointer)(unsafe.Pointer(&v)) = e.P
	case shapeSlice:
		*(*sliceHeader)(unsafe.Pointer(&v)) = sliceHeader{data: e.P, len: e.N0, cap: e.N1}
	case shapeString:
		*(*stringHeader)(unsafe.Pointer(&v)) = stringHeader{data: e.P, len: e.N0}
	case shapeIface:
		*(*eface)(unsafe.Pointer(&v)) = eface{typ: e.Aux, data: e.P}
	case shapeInline:
		w := inlineWords{e.N0, e.N1}
		v = *(*T)(unsafe.Pointer(&w))
	default:
		box := (*T)(e.P)
		v = *box
		var zero T
		*box = zero // the pool keeps no reference to what it handed out
	}
	return v
}
