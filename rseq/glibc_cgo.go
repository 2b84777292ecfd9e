//go:build linux && cgo

package rseq

import "github.com/gorseq/percpu/rseq/internal/glibc"

// cgoBinary is true when threads are pthreads, so FS belongs to glibc.
const cgoBinary = true

func glibcArea() (offset uintptr, size uint32, present bool) { return glibc.Area() }
