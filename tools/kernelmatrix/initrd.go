package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"

	"github.com/gorseq/percpu/tools/kernelmatrix/guest"
)

// writeInitramfs writes the newc archive one boot runs from: the init
// program at /init, the test binary under /test, the run's configuration
// at guest.ConfigPath, the mount points, and /dev/console, which the kernel
// opens as init's standard streams before any devtmpfs is mounted.
func writeInitramfs(file, initBin, testBin string, cfg guest.Config) error {
	conf, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	c := newNewcWriter(bw)
	for _, d := range []struct {
		name string
		perm uint32
	}{{"dev", 0o755}, {"proc", 0o555}, {"sys", 0o555}, {"tmp", 0o1777}, {path.Dir(cfg.Binary), 0o755}} {
		c.Dir(d.name, d.perm)
	}
	c.CharDev("dev/console", 0o600, 5, 1)
	addFile(c, "init", 0o755, initBin)
	addFile(c, cfg.Binary, 0o755, testBin)
	c.File(guest.ConfigPath, 0o644, int64(len(conf)), bytes.NewReader(conf))
	err = c.Close()
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("initramfs %s: %w", file, err)
	}
	return nil
}

// addFile copies a host file into the archive; errors stick in c.
func addFile(c *newcWriter, name string, perm uint32, hostFile string) {
	f, err := os.Open(hostFile)
	if err != nil {
		c.err = err
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		c.err = err
		return
	}
	c.File(name, perm, st.Size(), f)
}
