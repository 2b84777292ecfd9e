package arch

import (
	"runtime"
	"testing"

	"github.com/gorseq/percpu/internal/procpin"
)

// TestAnyPrivatePath: PopAny and PushAny through a holder with no
// descriptor work on the calling P's private part where the private
// sections do, whole interfaces in and out, and hand everything else to
// the registered misses with the same arguments: a nil holder, a holder
// with neither path, a full or empty part, a nil data word, and every call
// where the private sections do not work.
func TestAnyPrivatePath(t *testing.T) {
	var pops, pushes int
	var pushed any
	defer SetAnyMisses(anyMisses.pop, anyMisses.push)
	var root AnyRoot
	SetAnyMisses(func(r *AnyRoot) any {
		if r != &root {
			t.Errorf("pop miss with root %p, want %p", r, &root)
		}
		pops++
		return "missed"
	}, func(r *AnyRoot, x any) {
		if r != &root {
			t.Errorf("push miss with root %p, want %p", r, &root)
		}
		pushes++
		pushed = x
	})
	runtime.LockOSThread() // one P throughout, as far as the test looks
	defer runtime.UnlockOSThread()
	pinUnmarked() // and no other goroutine on it, nor a collection: the calls below do not yield
	defer procpin.Unpin()

	if got := PopAny(&root); got != "missed" || pops != 1 {
		t.Fatalf("pop with no holder = %v (%d misses), want the miss path's", got, pops)
	}
	var holder AnyHolder
	root.Holder = &holder
	PushAny(&root, 1)
	if pushes != 1 || pushed != 1 {
		t.Fatalf("push with no path: %d misses with %v, want 1 with 1", pushes, pushed)
	}
	holder.Private = newParts(64, 2)
	v, w := new(int), "two"
	PushAny(&root, v)
	PushAny(&root, w)
	ok, _ := PrivateAvailable()
	if !ok {
		if pushes != 3 || pushed != w {
			t.Fatalf("pushes where the private sections do not work: %d misses, the last with %v", pushes, pushed)
		}
		return
	}
	if pushes != 1 {
		t.Fatalf("pushes onto a part with room: %d misses, want none", pushes-1)
	}
	PushAny(&root, 3.0)
	if pushes != 2 || pushed != 3.0 {
		t.Fatalf("push onto a full part: %d misses with %v, want one with 3", pushes-1, pushed)
	}
	PushAny(&root, (*int)(nil))
	if pushes != 3 {
		t.Fatal("a nil data word was pushed")
	}
	if got := PopAny(&root); got != w {
		t.Fatalf("pop = %v, want the newest value %v", got, w)
	}
	if got := PopAny(&root); got != any(v) {
		t.Fatalf("pop = %v, want %v", got, v)
	}
	if got := PopAny(&root); got != "missed" || pops != 2 {
		t.Fatalf("pop from an empty part = %v (%d misses), want the miss path's", got, pops-1)
	}
	if part := mine(holder.Private); part.N != 0 || part.Slots[0] != (Entry{}) || part.Slots[1] != (Entry{}) {
		t.Fatalf("the part after its pops: n %d, slots %+v", part.N, part.Slots)
	}
}
