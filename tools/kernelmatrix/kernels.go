package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// kernelSeries maps the names -kernels accepts to Debian's metapackages;
// each depends on the versioned image package that holds the kernel.
var kernelSeries = map[string]func(arch string) string{
	"6.1":  func(arch string) string { return "linux-image-" + arch },      // bookworm's own kernel
	"6.12": func(arch string) string { return "linux-image-6.12-" + arch }, // bookworm-security's backport
}

func seriesNames() []string {
	var names []string
	for n := range kernelSeries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// kernel is one kernel image ready to boot.
type kernel struct {
	Series  string // "6.1"
	Arch    string // "amd64"
	Package string // linux-image-6.1.0-56-amd64
	Version string // the package's version, 6.1.192-2
	Image   string // path of boot/vmlinuz-* in the cache
}

// Release is the kernel release the image file is named for
// (6.1.0-56-amd64).
func (k kernel) Release() string {
	return strings.TrimPrefix(filepath.Base(k.Image), "vmlinuz-")
}

// fetchKernel returns series' image for arch from the cache, downloading
// and extracting the package first when the cache lacks its current
// version. Without apt's lists (no network) it falls back to the newest
// cached image of the series.
func fetchKernel(a *apt, cacheDir, series, arch string) (kernel, error) {
	k := kernel{Series: series, Arch: arch}
	meta := a.name(kernelSeries[series](arch), arch)
	pkg, version, err := resolveImagePackage(a, meta, arch)
	if err != nil {
		if cached, ok := newestCached(cacheDir, series, arch); ok {
			fmt.Fprintf(a.log, "kernel %s/%s: %v\nkernel %s/%s: using the cached %s\n", series, arch, err, series, arch, cached.Package)
			return cached, nil
		}
		return k, fmt.Errorf("kernel %s for %s: %w", series, arch, err)
	}
	k.Package, k.Version = pkg, version
	dir := filepath.Join(cacheDir, cacheEntry(pkg, version, arch))
	if img, ok := findImage(dir); ok {
		k.Image = img
		return k, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return k, err
	}
	tmp, err := os.MkdirTemp(cacheDir, ".download-")
	if err != nil {
		return k, err
	}
	defer os.RemoveAll(tmp)
	deb, err := a.download(a.name(pkg, arch), tmp)
	if err != nil && !a.updated {
		// Stale lists name a version the mirror no longer has.
		if uerr := a.update(); uerr != nil {
			return k, err
		}
		return fetchKernel(a, cacheDir, series, arch)
	}
	if err != nil {
		return k, err
	}
	img, err := extractImage(deb, tmp)
	if err != nil {
		return k, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return k, err
	}
	k.Image = filepath.Join(dir, filepath.Base(img))
	if err := os.Rename(img, k.Image); err != nil {
		return k, err
	}
	return k, nil
}

// resolveImagePackage finds the image package the metapackage depends on,
// and its candidate version. It adds the architecture to dpkg and updates
// apt's lists when the first look-up finds nothing.
func resolveImagePackage(a *apt, meta, arch string) (pkg, version string, err error) {
	for attempt := 0; ; attempt++ {
		pkg, err = imageDependency(a, meta)
		if err == nil {
			break
		}
		if attempt > 0 {
			return "", "", err
		}
		if err := a.addArch(arch); err != nil {
			return "", "", err
		}
		if err := a.update(); err != nil {
			return "", "", err
		}
	}
	version, err = a.candidate(a.name(pkg, arch))
	return pkg, version, err
}

func imageDependency(a *apt, meta string) (string, error) {
	deps, err := a.depends(meta)
	if err != nil {
		return "", err
	}
	for _, d := range deps {
		if name, _, _ := strings.Cut(d, ":"); strings.HasPrefix(name, "linux-image-") {
			return name, nil
		}
	}
	return "", fmt.Errorf("%s depends on no linux-image-* package (apt-cache depends: %v)", meta, deps)
}

// cacheEntry names the cache directory of one package version.
func cacheEntry(pkg, version, arch string) string {
	return strings.NewReplacer(":", "%3a", "/", "_").Replace(pkg + "_" + version + "_" + arch)
}

func findImage(dir string) (string, bool) {
	m, _ := filepath.Glob(filepath.Join(dir, "vmlinuz-*"))
	if len(m) != 1 {
		return "", false
	}
	return m[0], true
}

// newestCached returns the most recently extracted cached image of a
// series for arch.
func newestCached(cacheDir, series, arch string) (kernel, bool) {
	entries, _ := os.ReadDir(cacheDir)
	var best kernel
	var bestTime int64
	for _, e := range entries {
		parts := strings.Split(e.Name(), "_")
		if len(parts) != 3 || parts[2] != arch || !strings.HasPrefix(parts[0], "linux-image-"+series+".") {
			continue
		}
		img, ok := findImage(filepath.Join(cacheDir, e.Name()))
		st, err := os.Stat(img)
		if !ok || err != nil || st.ModTime().UnixNano() < bestTime {
			continue
		}
		bestTime = st.ModTime().UnixNano()
		best = kernel{Series: series, Arch: arch, Package: parts[0], Version: parts[1], Image: img}
	}
	return best, bestTime != 0
}

// extractImage takes boot/vmlinuz-* out of a kernel package into dir. It
// reads the package's data archive as dpkg-deb --fsys-tarfile streams it,
// which is dpkg-deb -x without writing the hundreds of megabytes of
// modules to disk.
func extractImage(deb, dir string) (string, error) {
	cmd := exec.Command("dpkg-deb", "--fsys-tarfile", deb)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	img, xerr := copyImage(tar.NewReader(out), dir)
	io.Copy(io.Discard, out) // let dpkg-deb finish writing
	if err := cmd.Wait(); err != nil && xerr == nil {
		xerr = fmt.Errorf("dpkg-deb --fsys-tarfile %s: %w", deb, err)
	}
	return img, xerr
}

func copyImage(tr *tar.Reader, dir string) (string, error) {
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return "", errors.New("the package holds no boot/vmlinuz-*")
		}
		if err != nil {
			return "", err
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if path.Dir(name) != "boot" || !strings.HasPrefix(path.Base(name), "vmlinuz-") || h.Typeflag != tar.TypeReg {
			continue
		}
		dst := filepath.Join(dir, path.Base(name))
		f, err := os.Create(dst)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return dst, err
	}
}
