package slab

import (
	"fmt"
	"reflect"
	"strings"
)

// checkPointerFree returns an error naming every place in t that holds a
// Go pointer — a pointer, unsafe.Pointer, slice, string, map, interface,
// channel or func — or nil if there is none. Memory the garbage collector
// does not scan must not hold them: the collector would free what they
// point to while they still do.
func checkPointerFree(t reflect.Type) error {
	root := t.Name()
	if root == "" {
		root = t.String()
	}
	var found []string
	findPointers(t, root, &found)
	if len(found) == 0 {
		return nil
	}
	const shown = 8
	list := strings.Join(found[:min(len(found), shown)], ", ")
	if len(found) > shown {
		list += fmt.Sprintf(" and %d more", len(found)-shown)
	}
	return fmt.Errorf("slab: type %s has Go pointers at %s; memory the garbage collector does not scan cannot hold them", t, list)
}

// findPointers appends to found the path of every Go pointer in t, which
// sits at path.
func findPointers(t reflect.Type, path string, found *[]string) {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Slice, reflect.String,
		reflect.Map, reflect.Interface, reflect.Chan, reflect.Func:
		*found = append(*found, fmt.Sprintf("%s (%s)", path, t))
	case reflect.Array:
		if t.Len() > 0 {
			findPointers(t.Elem(), path+"[i]", found)
		}
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			findPointers(f.Type, path+"."+f.Name, found)
		}
	}
}
