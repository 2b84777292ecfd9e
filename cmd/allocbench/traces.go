package main

import (
	"embed"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// The replay workload's size traces, written by internal/tracegen.
//
//go:generate go run ./internal/tracegen -dir testdata
//go:embed testdata/*.sizes
var traceFiles embed.FS

// traceSizes returns the sizes of every trace, file after file.
func traceSizes() ([]int, error) {
	files, err := traceFiles.ReadDir("testdata")
	if err != nil {
		return nil, err
	}
	var sizes []int
	for _, f := range files {
		name := path.Join("testdata", f.Name())
		text, err := traceFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		s, err := parseSizes(string(text))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		sizes = append(sizes, s...)
	}
	return sizes, nil
}

// parseSizes parses a trace: lines starting with '#' are comments, the rest
// are positive sizes separated by white space.
func parseSizes(text string) ([]int, error) {
	var sizes []int
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, field := range strings.Fields(line) {
			n, err := strconv.Atoi(field)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("line %d: bad size %q", i+1, field)
			}
			sizes = append(sizes, n)
		}
	}
	return sizes, nil
}
