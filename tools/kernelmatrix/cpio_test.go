package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestNewcHeaderBytes(t *testing.T) {
	// One file "a" holding "xy", then the trailer: every field checked by
	// hand against the format (buffer-format.rst).
	var buf bytes.Buffer
	c := newNewcWriter(&buf)
	if err := c.File("/a", 0o755, 2, strings.NewReader("xy")); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	want := "070701" + "00000001" + "000081ed" + "00000000" + "00000000" + "00000001" + "00000000" +
		"00000002" + "00000000" + "00000000" + "00000000" + "00000000" + "00000002" + "00000000" +
		"a\x00" + // 110 + 2 = 112: aligned already
		"xy\x00\x00" + // data padded to 4
		"070701" + "00000000" + "00000000" + "00000000" + "00000000" + "00000001" + "00000000" +
		"00000000" + "00000000" + "00000000" + "00000000" + "00000000" + "0000000b" + "00000000" +
		"TRAILER!!!\x00" + "\x00\x00\x00" // 110 + 11 = 121, padded to 124
	if got := buf.String(); got != want {
		t.Fatalf("archive\n%q\nwant\n%q", got, want)
	}
}

// cpioEntry is one entry as a reader of the format sees it.
type cpioEntry struct {
	name         string
	mode         uint32
	rmaj, rmin   uint32
	data         string
	headerOffset int
}

// readNewc is an independent reader of the format for the tests.
func readNewc(b []byte) ([]cpioEntry, error) {
	var entries []cpioEntry
	align := func(n int) int { return (n + 3) &^ 3 }
	for off := 0; ; {
		if off%4 != 0 {
			return nil, fmt.Errorf("entry at %d is not aligned", off)
		}
		if len(b) < off+110 || string(b[off:off+6]) != "070701" {
			return nil, fmt.Errorf("no newc header at %d", off)
		}
		field := func(i int) uint32 {
			v, err := strconv.ParseUint(string(b[off+6+8*i:off+14+8*i]), 16, 32)
			if err != nil {
				panic(err)
			}
			return uint32(v)
		}
		size, nameSize := int(field(6)), int(field(11))
		name := string(b[off+110 : off+110+nameSize-1])
		if b[off+110+nameSize-1] != 0 {
			return nil, fmt.Errorf("%s: name not NUL-terminated", name)
		}
		dataOff := align(off + 110 + nameSize)
		e := cpioEntry{name: name, mode: field(1), rmaj: field(9), rmin: field(10),
			data: string(b[dataOff : dataOff+size]), headerOffset: off}
		if name == "TRAILER!!!" {
			if rest := b[dataOff:]; len(rest) != 0 {
				return nil, fmt.Errorf("%d bytes after the trailer", len(rest))
			}
			return entries, nil
		}
		entries = append(entries, e)
		off = align(dataOff + size)
	}
}

func TestNewcRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	c := newNewcWriter(&buf)
	c.Dir("dev", 0o755)
	c.CharDev("dev/console", 0o600, 5, 1)
	c.Dir("tmp", 0o1777)
	for i := 0; i < 6; i++ { // names and sizes of every length modulo 4
		name := "test/" + strings.Repeat("n", i+1)
		c.File(name, 0o644, int64(i), strings.NewReader(strings.Repeat("d", i)))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := readNewc(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 9 {
		t.Fatalf("%d entries, want 9", len(entries))
	}
	if e := entries[1]; e.name != "dev/console" || e.mode != modeChar|0o600 || e.rmaj != 5 || e.rmin != 1 {
		t.Errorf("console entry %+v", e)
	}
	if e := entries[2]; e.mode != modeDir|0o1777 {
		t.Errorf("tmp mode %o", e.mode)
	}
	for i, e := range entries[3:] {
		if e.mode != modeFile|0o644 || e.data != strings.Repeat("d", i) {
			t.Errorf("%s: mode %o data %q", e.name, e.mode, e.data)
		}
	}
}

func TestNewcShortReader(t *testing.T) {
	c := newNewcWriter(&bytes.Buffer{})
	if err := c.File("f", 0o644, 10, strings.NewReader("short")); err == nil {
		t.Fatal("a file shorter than its size was accepted")
	}
	if err := c.Close(); err == nil {
		t.Fatal("Close after an error succeeded")
	}
}

func TestNewcBadName(t *testing.T) {
	c := newNewcWriter(&bytes.Buffer{})
	if err := c.Dir("/", 0o755); err == nil {
		t.Fatal("an empty name was accepted")
	}
}
