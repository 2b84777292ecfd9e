package arch

import (
	"runtime"
	"testing"
	"unsafe"
)

func TestStatusString(t *testing.T) {
	cases := map[Status]string{
		Committed:           "committed",
		Full:                "full",
		GCMarking:           "gc-marking",
		Aborted | 16<<8:     "aborted-too-often+16 aborts",
		Committed | 3<<8:    "committed+3 aborts",
		Status(0x2a):        "status(42)",
		Unavailable:         "unavailable",
		Unregistered | 1<<8: "unregistered+1 aborts",
	}
	for st, want := range cases {
		if got := st.String(); got != want {
			t.Errorf("%#x: %q, want %q", uint32(st), got, want)
		}
	}
	if (Committed|5<<8).Outcome() != Committed || (Empty|5<<8).Aborts() != 5 {
		t.Fatal("Outcome/Aborts do not split the status")
	}
}

func TestLayoutOffsets(t *testing.T) {
	// Four words: 32 bytes where the assembly runs (it assumes 32), 16 on
	// 32-bit targets.
	if EntrySize != 4*WordSize {
		t.Fatalf("Entry is %d bytes; the layout assumes four words of %d", EntrySize, WordSize)
	}
	if (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64") && EntrySize != 32 {
		t.Fatalf("Entry is %d bytes; the assembly assumes 32", EntrySize)
	}
	// Control words must sit in an Entry's plain words so that entry
	// blocks need no special type, and must not overlap the next entry.
	n0 := unsafe.Offsetof(Entry{}.N0)
	for k := 0; k < 4; k++ {
		if off := TopOffset(k) % EntrySize; off != n0 || off+CapOff != unsafe.Offsetof(Entry{}.N1) {
			t.Fatalf("member %d's top at entry offset %d, capacity %d later; want N0 (%d), then N1", k, off, CapOff, n0)
		}
	}
	if StopOff%EntrySize != n0 || ControlBytes(3) != 4*EntrySize {
		t.Fatal("control layout changed")
	}
}
