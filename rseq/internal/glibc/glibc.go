//go:build linux && cgo

// Package glibc reads glibc's rseq registration (__rseq_offset, __rseq_size,
// glibc 2.35+). It is its own package because a package that uses cgo may not
// contain Go assembly.
package glibc

/*
#include <stddef.h>

extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

static int percpu_rseq_present(void) { return &__rseq_size != 0 && &__rseq_offset != 0; }
static long percpu_rseq_offset(void) { return percpu_rseq_present() ? (long)__rseq_offset : 0; }
static unsigned int percpu_rseq_size(void) { return percpu_rseq_present() ? __rseq_size : 0; }
*/
import "C"

// Area reports where glibc keeps each thread's struct rseq: at the thread
// pointer plus offset. present is false when this libc has no rseq support;
// size is 0 when glibc did not register (GLIBC_TUNABLES=glibc.pthread.rseq=0,
// or the kernel refused).
func Area() (offset uintptr, size uint32, present bool) {
	if C.percpu_rseq_present() == 0 {
		return 0, 0, false
	}
	return uintptr(C.percpu_rseq_offset()), uint32(C.percpu_rseq_size()), true
}
