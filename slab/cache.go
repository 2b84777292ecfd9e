package slab

import (
	"reflect"
	"unsafe"
)

// A Cache hands out zeroed values of one pointer-free type T from an
// Allocator, without the size lookup of Alloc. A Cache is a small handle:
// copy it freely, make as many as you like.
type Cache[T any] struct {
	a     *Allocator
	class int // T's size class, or largeClass
	size  uintptr
}

// NewCache returns a Cache of T values from a. It fails if T holds Go
// pointers (pointers, slices, strings, maps, interfaces, channels, funcs),
// naming each field that does.
func NewCache[T any](a *Allocator) (*Cache[T], error) {
	t := reflect.TypeFor[T]()
	if err := checkPointerFree(t); err != nil {
		return nil, err
	}
	c := &Cache[T]{a: a, class: largeClass, size: t.Size()}
	if c.size <= maxSmallSize {
		c.class = classOf(c.size)
	}
	return c, nil
}

// New returns a pointer to a new zero T.
func (c *Cache[T]) New() *T {
	var p unsafe.Pointer
	if c.class == largeClass {
		p = c.a.allocLarge(c.size)
	} else {
		p = c.a.allocClass(c.class)
	}
	v := (*T)(p)
	*v = *new(T)
	return v
}

// Free returns v, which New of a Cache on the same Allocator returned.
// Free(nil) does nothing.
func (c *Cache[T]) Free(v *T) {
	c.a.Free(unsafe.Pointer(v))
}

// Allocator returns the Allocator the Cache takes its memory from.
func (c *Cache[T]) Allocator() *Allocator { return c.a }
