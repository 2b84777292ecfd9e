package arch

import "testing"

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
	if EntrySize != 32 {
		t.Fatalf("Entry is %d bytes; the assembly assumes 32", EntrySize)
	}
	// Control words must sit in an Entry's plain words so that entry
	// blocks need no special type.
	for k := 0; k < 4; k++ {
		if off := TopOffset(k) % EntrySize; off != 16 {
			t.Fatalf("member %d's top at entry offset %d, want 16 (N0)", k, off)
		}
	}
	if StopOff%EntrySize != 16 || ControlBytes(3) != 4*EntrySize {
		t.Fatal("control layout changed")
	}
}
