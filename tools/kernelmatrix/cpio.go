package main

import (
	"fmt"
	"io"
	"strings"
)

// newcWriter writes a cpio archive in the "new ASCII" (newc) format, the
// one the kernel unpacks as an initramfs (Documentation/driver-api/
// early-userspace/buffer-format.rst). Every entry is a 110-byte header of
// hexadecimal fields, the name with its NUL, padding to 4 bytes, the data,
// padding to 4 bytes; a "TRAILER!!!" entry ends the archive. Writing it here
// spares the runner the cpio package and lets it add /dev/console without
// mknod (and so without root).
type newcWriter struct {
	w   io.Writer
	n   int64  // bytes written
	ino uint32 // last inode number handed out
	err error  // first write error; later calls do nothing
}

// File type bits of the mode field (stat.h).
const (
	modeDir  = 0o040000
	modeFile = 0o100000
	modeChar = 0o020000
)

func newNewcWriter(w io.Writer) *newcWriter { return &newcWriter{w: w} }

// Dir adds a directory.
func (c *newcWriter) Dir(name string, perm uint32) error {
	return c.entry(name, modeDir|perm, 2, 0, 0, 0, nil)
}

// File adds a regular file of size bytes read from r.
func (c *newcWriter) File(name string, perm uint32, size int64, r io.Reader) error {
	if size > 0xffffffff {
		return fmt.Errorf("cpio: %s: %d bytes is more than newc can hold", name, size)
	}
	return c.entry(name, modeFile|perm, 1, uint32(size), 0, 0, r)
}

// CharDev adds a character device node.
func (c *newcWriter) CharDev(name string, perm, major, minor uint32) error {
	return c.entry(name, modeChar|perm, 1, 0, major, minor, nil)
}

// Close writes the trailer. It does not close the underlying writer.
func (c *newcWriter) Close() error {
	return c.entry("TRAILER!!!", 0, 1, 0, 0, 0, nil)
}

func (c *newcWriter) entry(name string, mode, nlink, size, rmajor, rminor uint32, data io.Reader) error {
	if c.err != nil {
		return c.err
	}
	name = strings.TrimPrefix(name, "/")
	if name == "" || strings.IndexByte(name, 0) >= 0 {
		c.err = fmt.Errorf("cpio: bad name %q", name)
		return c.err
	}
	ino := uint32(0)
	if name != "TRAILER!!!" {
		c.ino++
		ino = c.ino
	}
	// magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	// devminor, rdevmajor, rdevminor, namesize (with the NUL), check.
	hdr := fmt.Sprintf("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		ino, mode, 0, 0, nlink, 0, size, 0, 0, rmajor, rminor, len(name)+1, 0)
	c.write([]byte(hdr + name + "\x00"))
	c.pad()
	if data != nil {
		n, err := io.CopyN(c.w, data, int64(size))
		c.n += n
		if err != nil && c.err == nil {
			c.err = fmt.Errorf("cpio: %s: %w", name, err)
		}
		c.pad()
	}
	return c.err
}

func (c *newcWriter) write(b []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	if err != nil {
		c.err = fmt.Errorf("cpio: %w", err)
	}
}

// pad aligns the archive to 4 bytes.
func (c *newcWriter) pad() {
	if r := c.n % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}
