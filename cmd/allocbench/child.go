package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// rseqEnv is the variable this module's rseq library reads at start-up;
// rseqOff forces its fallback. A process cannot change its own mode after
// start-up, so NAME/fallback contenders run in a child process.
const (
	rseqEnv = "PERCPU_RSEQ"
	rseqOff = "off"
)

// selfCommand returns a command that runs this program with args. Tests
// replace it, to run the test binary as allocbench.
var selfCommand = func(args []string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return exec.Command(exe, args...), nil
}

// runFallbacks runs the named contenders in a child process with the rseq
// fallback forced and returns its results, renamed NAME/fallback, and the
// child's mode line. The child's progress lines go to stderr.
func runFallbacks(cfg *config, names []string, stderr io.Writer) ([]Result, string, error) {
	cmd, err := selfCommand(cfg.childArgs(names))
	if err != nil {
		return nil, "", err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, rseqEnv+"="+rseqOff)
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("fallback child %v: %w", cmd.Args, err)
	}
	var rep Report
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, "", fmt.Errorf("fallback child: decoding its report: %w", err)
	}
	for i := range rep.Results {
		rep.Results[i].Impl += fallbackSuffix
	}
	return rep.Results, rep.Header.Mode, nil
}

// childArgs returns the command line that runs the named contenders with
// this configuration and writes JSON.
func (cfg *config) childArgs(names []string) []string {
	var workloadNames, cpus []string
	for _, w := range cfg.workloads {
		workloadNames = append(workloadNames, w.Name)
	}
	for _, c := range cfg.cpus {
		cpus = append(cpus, strconv.Itoa(c))
	}
	return []string{
		"-format=json",
		"-q=" + strconv.FormatBool(cfg.quiet),
		"-workload=" + strings.Join(workloadNames, ","),
		"-impl=" + strings.Join(names, ","),
		"-cpu=" + strings.Join(cpus, ","),
		"-count=" + strconv.Itoa(cfg.count),
		"-benchtime=" + cfg.benchtime.String(),
		"-size=" + strconv.Itoa(cfg.size),
		"-kvlive=" + strconv.FormatInt(cfg.kvLive, 10),
	}
}
