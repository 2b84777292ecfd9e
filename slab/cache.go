package slab

import (
	"reflect"
	"unsafe"

	"github.com/gorseq/percpu/internal/typecheck"
)

// A Cache hands out zeroed values of one pointer-free type T from an
// Allocator. A Cache is a small handle: copy it freely, make as many as you
// like.
type Cache[T any] struct {
	a    *Allocator
	size uintptr // T's size, at least 1 (a zero-size T takes the smallest class)
}

// NewCache returns a Cache of T values from a. It fails if T holds Go
// pointers (pointers, slices, strings, maps, interfaces, channels, funcs),
// naming each field that does.
func NewCache[T any](a *Allocator) (*Cache[T], error) {
	t := reflect.TypeFor[T]()
	if err := typecheck.PointerFree("slab", t); err != nil {
		return nil, err
	}
	return &Cache[T]{a: a, size: max(t.Size(), 1)}, nil
}

// New returns a pointer to a new zero T.
func (c *Cache[T]) New() *T {
	v := (*T)(c.a.Alloc(c.size))
	var zero T
	*v = zero // stores in place; *v = *new(T) would zero a stack copy and memmove it
	return v
}

// Free returns v, which New of a Cache on the same Allocator returned.
// Free(nil) does nothing.
func (c *Cache[T]) Free(v *T) {
	c.a.Free(unsafe.Pointer(v))
}

// Allocator returns the Allocator the Cache takes its memory from.
func (c *Cache[T]) Allocator() *Allocator { return c.a }
