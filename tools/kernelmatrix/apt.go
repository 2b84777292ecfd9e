package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// apt runs Debian's package tools: the runner's only way to fetch anything
// (kernels and qemu come from the configured Debian sources). It runs
// apt-get update at most once, and only when a look-up or a download has
// failed without it.
type apt struct {
	log     io.Writer // progress lines
	native  string    // dpkg's native architecture
	updated bool
}

func newApt(log io.Writer) (*apt, error) {
	a := &apt{log: log}
	out, err := a.output("dpkg", "--print-architecture")
	if err != nil {
		return nil, fmt.Errorf("this runner needs Debian's dpkg and apt: %w", err)
	}
	a.native = strings.TrimSpace(out)
	return a, nil
}

// name is how apt spells pkg for arch: foreign architectures take a suffix.
func (a *apt) name(pkg, arch string) string {
	if arch == a.native {
		return pkg
	}
	return pkg + ":" + arch
}

// addArch makes dpkg accept packages of a foreign architecture, and updates
// the lists so that apt knows them.
func (a *apt) addArch(arch string) error {
	if arch == a.native {
		return nil
	}
	out, err := a.output("dpkg", "--print-foreign-architectures")
	if err != nil {
		return err
	}
	for _, f := range strings.Fields(out) {
		if f == arch {
			return nil
		}
	}
	fmt.Fprintf(a.log, "apt: dpkg --add-architecture %s\n", arch)
	if _, err := a.output("dpkg", "--add-architecture", arch); err != nil {
		return err
	}
	a.updated = false // the new architecture's lists are missing
	return a.update()
}

// update runs apt-get update, once.
func (a *apt) update() error {
	if a.updated {
		return nil
	}
	fmt.Fprintln(a.log, "apt: apt-get update")
	if _, err := a.output("apt-get", "update"); err != nil {
		return err
	}
	a.updated = true
	return nil
}

// install installs packages, waiting for another apt to release its lock.
func (a *apt) install(pkgs ...string) error {
	fmt.Fprintf(a.log, "apt: apt-get install %s\n", strings.Join(pkgs, " "))
	args := append([]string{"install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300"}, pkgs...)
	if _, err := a.output("apt-get", args...); err != nil {
		if uerr := a.update(); uerr != nil {
			return err
		}
		_, err = a.output("apt-get", args...)
		return err
	}
	return nil
}

// depends lists the packages pkg depends on (alternatives included), in
// apt-cache's order.
func (a *apt) depends(pkg string) ([]string, error) {
	out, err := a.output("apt-cache", "depends", "--important", pkg)
	if err != nil {
		return nil, err
	}
	var deps []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && (f[0] == "Depends:" || f[0] == "|Depends:") {
			deps = append(deps, f[1])
		}
	}
	return deps, nil
}

// candidate returns the version apt would install or download.
func (a *apt) candidate(pkg string) (string, error) {
	out, err := a.output("apt-cache", "policy", pkg)
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Candidate:"); ok {
			if v = strings.TrimSpace(v); v != "" && v != "(none)" {
				return v, nil
			}
		}
	}
	return "", fmt.Errorf("apt-cache policy %s: no candidate version (is the package in the configured sources?)", pkg)
}

// download fetches pkg's .deb into dir and returns its path.
func (a *apt) download(pkg, dir string) (string, error) {
	fmt.Fprintf(a.log, "apt: apt-get download %s\n", pkg)
	cmd := exec.Command("apt-get", "download", "-o", "APT::Sandbox::User=root", pkg)
	cmd.Dir = dir
	if _, err := run(cmd); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".deb") {
			return dir + "/" + e.Name(), nil
		}
	}
	return "", fmt.Errorf("apt-get download %s wrote no .deb in %s", pkg, dir)
}

func (a *apt) output(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	return run(cmd)
}

// run runs cmd and returns its standard output; a failure's error carries
// the command line and the end of what it printed.
func run(cmd *exec.Cmd) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err,
			indent(tail(stderr.String()+stdout.String(), 15)))
	}
	return stdout.String(), nil
}
