package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// writers holds the -format values and what writes each.
var writers = map[string]func(io.Writer, *Report) error{
	"table":    writeTable,
	"benchfmt": writeBenchfmt,
	"json":     writeJSON,
}

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the run failed
	exitUsage = 2 // the command line was bad
)

// run is allocbench with its arguments and output streams: it parses the
// flags, runs the cells (and a fallback child if asked), and writes the
// report and the plot. It returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		return exitUsage
	}
	rep, err := measureAll(cfg, stderr)
	if err == nil {
		err = writers[cfg.format](stdout, rep)
	}
	if err == nil && cfg.plot != "" {
		err = plotFile(cfg.plot, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "allocbench: %v\n", err)
		return exitError
	}
	return exitOK
}

// measureAll runs what cfg asks for and returns the report.
func measureAll(cfg *config, stderr io.Writer) (*Report, error) {
	var progress io.Writer
	if !cfg.quiet {
		progress = stderr
	}
	rep := &Report{Header: newHeader(cfg)}
	cells, fallbacks := plan(cfg)
	announce(progress, cfg, cells, childCells(cfg, fallbacks))
	results, err := runCells(cfg, cells, progress)
	if err != nil {
		return nil, err
	}
	rep.Results = results
	if len(fallbacks) > 0 {
		results, mode, err := runFallbacks(cfg, fallbacks, stderr)
		if err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, results...)
		rep.Header.FallbackMode = mode
	}
	if len(rep.Results) == 0 {
		return nil, errors.New("no contender offers what the chosen workloads use")
	}
	return rep, nil
}
