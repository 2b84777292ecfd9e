package typecheck

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

type flat struct {
	A, B int64
	C    [4]float64
	D    [0]*int // empty: holds nothing
}

type inner struct {
	B   [2]struct{ P *int }
	Fn  func()
	Any any
}

type nested struct {
	N     int
	Inner inner
	M     map[int]int
	Ch    chan int
	S     []byte
	U     unsafe.Pointer
}

type many struct{ A, B, C, D, E, F, G, H, I, J string }

func TestPointerFree(t *testing.T) {
	for _, c := range []struct {
		t    reflect.Type
		want string // "" for none
	}{
		{reflect.TypeFor[flat](), ""},
		{reflect.TypeFor[int](), ""},
		{reflect.TypeFor[*int](), "pkg: type *int has Go pointers at *int (*int); memory the garbage collector does not scan cannot hold them"},
		{reflect.TypeFor[[]byte](), "at []uint8 ([]uint8)"},
		{reflect.TypeFor[nested](), "at nested.Inner.B[i].P (*int), nested.Inner.Fn (func()), nested.Inner.Any (interface {}), " +
			"nested.M (map[int]int), nested.Ch (chan int), nested.S ([]uint8), nested.U (unsafe.Pointer);"},
		{reflect.TypeFor[many](), "many.H (string) and 2 more;"},
	} {
		err := PointerFree("pkg", c.t)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: %v, want nil", c.t, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: %v, want it to contain %q", c.t, err, c.want)
		}
		if HasPointers(c.t) != (c.want != "") {
			t.Errorf("HasPointers(%v) = %v", c.t, !(c.want != ""))
		}
	}
}
