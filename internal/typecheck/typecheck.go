// Package typecheck finds the Go pointers in a type, for the memory the
// garbage collector does not scan: slab's objects and alloc's arenas. Such
// memory must not hold a Go pointer, since the collector would free what it
// points to while it still does.
package typecheck

import (
	"fmt"
	"reflect"
	"strings"
)

// shown is how many of a type's pointer paths an error lists.
const shown = 8

// PointerFree returns nil if a value of t holds no Go pointers — pointers,
// unsafe.Pointers, slices, strings, maps, interfaces, channels or funcs —
// and otherwise an error, its text prefixed with pkg, that names each place
// in t that does by its field path:
//
//	slab: type main.Session has Go pointers at Session.User (string); memory the garbage collector does not scan cannot hold them
func PointerFree(pkg string, t reflect.Type) error {
	root := t.Name()
	if root == "" {
		root = t.String()
	}
	found := paths(t, root, nil)
	if len(found) == 0 {
		return nil
	}
	list := strings.Join(found[:min(len(found), shown)], ", ")
	if len(found) > shown {
		list += fmt.Sprintf(" and %d more", len(found)-shown)
	}
	return fmt.Errorf("%s: type %s has Go pointers at %s; memory the garbage collector does not scan cannot hold them", pkg, t, list)
}

// HasPointers reports whether a value of t holds Go pointers.
func HasPointers(t reflect.Type) bool { return len(paths(t, "", nil)) > 0 }

// paths appends to found the path of every Go pointer in t, which sits at
// path, and returns found.
func paths(t reflect.Type, path string, found []string) []string {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Slice, reflect.String,
		reflect.Map, reflect.Interface, reflect.Chan, reflect.Func:
		found = append(found, fmt.Sprintf("%s (%s)", path, t))
	case reflect.Array:
		if t.Len() > 0 {
			found = paths(t.Elem(), path+"[i]", found)
		}
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			found = paths(f.Type, path+"."+f.Name, found)
		}
	}
	return found
}
