package alloc

import (
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/percpu/internal/typecheck"
)

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
			if err := typecheck.PointerFree("alloc", t); err != nil {
				v.msg = err.Error()
			}
			allVerdicts.Store(key, v)
		}
		slot.Store(v)
	}
	if v.msg != "" {
		panic(v.msg)
	}
}
