package main

import "github.com/gorseq/percpu/rseq"

// modePrefix starts the mode line.
const modePrefix = "rseq mode: "

// modeLine returns the header line that says how this process runs the
// project's own contenders: with restartable sequences (and which
// registration), or on the fallback and why.
func modeLine() string {
	return modePrefix + rseq.Status().String()
}
