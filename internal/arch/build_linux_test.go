//go:build linux && (amd64 || arm64) && !purego

package arch

import (
	"bytes"
	"strings"
	"testing"
	"unsafe"
)

func TestBuild(t *testing.T) {
	if err := Build(); err != nil {
		t.Fatalf("Build: %v", err)
	}
	byAddress := map[uintptr]*rseqCS{}
	for j := range descriptors {
		byAddress[uintptr(unsafe.Pointer(&descriptors[j]))] = &descriptors[j]
	}
	for i, d := range sectionDescs {
		cs := byAddress[d]
		if cs == nil {
			t.Fatalf("%s: descriptor %#x is not one Build made", sectionNames[i], d)
		}
		if d%32 != 0 {
			t.Errorf("%s: descriptor %#x not 32-byte aligned", sectionNames[i], d)
		}
		if cs.postCommitOffset == 0 || cs.abortIP <= cs.startIP+cs.postCommitOffset {
			t.Errorf("%s: descriptor %+v", sectionNames[i], *cs)
		}
	}
}

// Stand-ins for a section's commit and return; their bytes do not matter.
var (
	fakeCommit = []byte{0x11, 0x22, 0x33, 0x44}
	fakeReturn = []byte{0x55, 0x66, 0x77, 0x88}
)

// section assembles a fake section: arm, start, body, post, exit, signature,
// abort, in the layout Build expects.
func section(i int) []byte {
	var b bytes.Buffer
	b.Write([]byte{0x90, 0x90, 0x90, 0x90})
	b.Write(armBytes)
	b.Write(marker(i, 1))
	b.Write(fakeCommit)
	b.Write(marker(i, 2))
	b.Write(fakeReturn)
	b.Write(signatureBytes)
	b.Write(marker(i, 3))
	b.Write(make([]byte, 64))
	return b.Bytes()
}

func TestLocateAccepts(t *testing.T) {
	cs, err := locate(3, section(3))
	if err != nil {
		t.Fatal(err)
	}
	m := len(marker(0, 1))
	if want := m + len(fakeCommit); cs.postCommitOffset != uint64(want) {
		t.Fatalf("post-commit offset %d, want %d", cs.postCommitOffset, want)
	}
	if want := 2*m + len(fakeCommit) + len(fakeReturn) + len(signatureBytes); cs.abortIP-cs.startIP != uint64(want) {
		t.Fatalf("abort_ip at start+%d, want %d", cs.abortIP-cs.startIP, want)
	}
}

func TestLocateRejects(t *testing.T) {
	good := section(2)
	start := bytes.Index(good, marker(2, 1))
	post := bytes.Index(good, marker(2, 2))
	abort := bytes.Index(good, marker(2, 3))
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := []struct {
		name, want string
		code       []byte
	}{
		{"missing start", "marker 1 not found", mutate(func(b []byte) []byte { b[start+3] ^= 0xFF; return b })},
		{"duplicate post", "marker 2 is not unique", mutate(func(b []byte) []byte { return append(b, marker(2, 2)...) })},
		{"gap after arming", "not right before start_ip", mutate(func(b []byte) []byte { b[start-1] ^= 0x5A; return b })},
		{"no signature", "signature missing", mutate(func(b []byte) []byte { b[abort-1] = 0; return b })},
		{"out of order", "out of order", mutate(func(b []byte) []byte {
			copy(b[post:], marker(2, 3))
			copy(b[abort:], marker(2, 2))
			return b
		})},
	}
	for _, c := range cases {
		if _, err := locate(2, c.code); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}
