package alloc

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// goPointers returns where a value of t, named path, holds Go pointers:
// pointers, slices, strings, maps, interfaces, channels and funcs.
func goPointers(t reflect.Type, path string) []string {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Slice, reflect.String,
		reflect.Map, reflect.Interface, reflect.Chan, reflect.Func:
		return []string{fmt.Sprintf("%s (%s)", path, t)}
	case reflect.Array:
		if t.Len() > 0 {
			return goPointers(t.Elem(), path+"[i]")
		}
	case reflect.Struct:
		var found []string
		for i := range t.NumField() {
			f := t.Field(i)
			found = append(found, goPointers(f.Type, path+"."+f.Name)...)
		}
		return found
	}
	return nil
}

func hasPointers(t reflect.Type) bool { return len(goPointers(t, "")) > 0 }

// typeVerdict caches whether arenas may hold a type: msg is empty when
// they may, and otherwise the panic message.
type typeVerdict struct {
	typ unsafe.Pointer // the type's *rtype
	msg string
}

// verdicts is a small direct-mapped cache of typeVerdicts, so that New
// and MakeSlice check their type with a few loads. Two types whose
// descriptors sit a multiple of 4 KiB apart share a slot; a collision
// costs a lookup in allVerdicts, which holds every verdict ever made, so
// that it never costs an allocation.
var (
	verdicts    [256]atomic.Pointer[typeVerdict]
	allVerdicts sync.Map // *rtype → *typeVerdict
)

// checkArenaType panics if arenas may not hold a T.
func checkArenaType[T any]() {
	t := reflect.TypeFor[T]()
	key := (*eface)(unsafe.Pointer(&t)).data
	slot := &verdicts[uintptr(key)>>4%uintptr(len(verdicts))]
	if v := slot.Load(); v == nil || v.typ != key || v.msg != "" {
		checkType(t, key, slot)
	}
}

// checkType decides and caches whether arenas may hold t (whose *rtype is
// key), and panics if not.
func checkType(t reflect.Type, key unsafe.Pointer, slot *atomic.Pointer[typeVerdict]) {
	v := slot.Load()
	if v == nil || v.typ != key {
		if known, ok := allVerdicts.Load(key); ok {
			v = known.(*typeVerdict)
		} else {
			v = &typeVerdict{typ: key}
			if found := goPointers(t, t.String()); len(found) > 0 {
				v.msg = fmt.Sprintf("alloc: an Arena cannot hold %s: it has Go pointers at %s, and the garbage collector does not scan arena memory",
					t, strings.Join(found, ", "))
			}
			allVerdicts.Store(key, v)
		}
		slot.Store(v)
	}
	if v.msg != "" {
		panic(v.msg)
	}
}
