package main

import (
	"strings"
	"testing"
)

func TestReplaceSection(t *testing.T) {
	doc := "# Title\n\nintro\n\n" + beginMarker + "\nold table\n| a |\n" + endMarker + "\n\nafter\n"
	got, err := replaceSection([]byte(doc), []byte("\nnew table\n| b |\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Title\n\nintro\n\n" + beginMarker + "\n\nnew table\n| b |\n\n" + endMarker + "\n\nafter\n"
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// Idempotent: the same section again gives the same file.
	again, err := replaceSection(got, []byte("new table\n| b |"))
	if err != nil || string(again) != want {
		t.Fatalf("second replacement: %v\n%s", err, again)
	}
}

func TestReplaceSectionRefusesBadMarkers(t *testing.T) {
	for name, doc := range map[string]string{
		"none":      "no markers here\n",
		"no end":    beginMarker + "\nx\n",
		"no begin":  "x\n" + endMarker + "\n",
		"reversed":  endMarker + "\nx\n" + beginMarker + "\n",
		"two begin": beginMarker + "\n" + beginMarker + "\n" + endMarker + "\n",
	} {
		if _, err := replaceSection([]byte(doc), []byte("t")); err == nil || !strings.Contains(err.Error(), "kernelmatrix:") {
			t.Errorf("%s: err = %v, want one naming the markers", name, err)
		}
	}
}
