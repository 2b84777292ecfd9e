package main

import "testing"

func TestShellQuote(t *testing.T) {
	got := shellQuote([]string{"qemu", "-append", "console=ttyS0 panic=-1", "it's", ""})
	want := `qemu -append 'console=ttyS0 panic=-1' 'it'\''s' ''`
	if got != want {
		t.Fatalf("%s\nwant %s", got, want)
	}
}

func TestTail(t *testing.T) {
	if got := tail("a\nb\nc\n", 2); got != "b\nc" {
		t.Fatalf("%q", got)
	}
}
