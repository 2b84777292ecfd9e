//go:build linux && (amd64 || arm64) && !purego

package rseq

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/gorseq/percpu/internal/arch"
)

const (
	sysRseq          = unix.SYS_RSEQ
	areaSize         = 32 // struct rseq as registered
	atRseqFeatureLen = 27 // AT_RSEQ_FEATURE_SIZE
)

// detect decides the mode for a linux/amd64 or linux/arm64 build with
// sections.
func detect() (Mode, IndexKind, string) {
	if err := arch.Build(); err != nil {
		return ModeFallback, IndexCPU, err.Error()
	}
	kind, why := chooseIndex()
	field := arch.IndexCPUID
	if kind == IndexMMCID {
		field = arch.IndexMMCID
	}
	if cgoBinary {
		offset, size, present := glibcArea()
		switch {
		case !present:
			return ModeFallback, kind, "cgo binary whose libc exports no __rseq_offset (glibc < 2.35 or another libc)"
		case size == 0:
			return ModeFallback, kind, "glibc did not register rseq (__rseq_size is 0: GLIBC_TUNABLES=glibc.pthread.rseq=0, seccomp, or an old kernel)"
		}
		arch.Configure(arch.AreaGlibc, offset, field)
		if err := onFreshThread(func() error { return verifyGlibc(offset) }); err != nil {
			return ModeFallback, kind, err.Error()
		}
		return ModeGlibc, kind, why
	}
	arch.Configure(arch.AreaOwn, 0, field)
	// The probe runs on a thread of its own: init runs on the main thread,
	// which the dynamic loader of a PIE binary may already have registered.
	if err := onFreshThread(probeOwn); err != nil {
		return ModeFallback, kind, err.Error()
	}
	return ModeOwn, kind, why
}

// mmCIDFeatureSize is the AT_RSEQ_FEATURE_SIZE of a kernel that fills
// mm_cid: the field's offset (arch.IndexMMCID) plus its 4 bytes.
const mmCIDFeatureSize = uintptr(arch.IndexMMCID) + 4

// chooseIndex picks mm_cid when the kernel fills it, unless told otherwise.
func chooseIndex() (IndexKind, string) {
	has := featureSize() >= mmCIDFeatureSize
	switch os.Getenv(EnvIndex) {
	case "cpu", "cpu_id":
		return IndexCPU, EnvIndex + " chose cpu_id"
	case "mm_cid":
		if has {
			return IndexMMCID, EnvIndex + " chose mm_cid"
		}
		return IndexCPU, EnvIndex + "=mm_cid, but this kernel has no mm_cid"
	}
	if has {
		return IndexMMCID, ""
	}
	return IndexCPU, "kernel without mm_cid"
}

// featureSize is AT_RSEQ_FEATURE_SIZE, 0 on kernels before 6.3.
func featureSize() uintptr {
	auxv, err := unix.Auxv()
	if err != nil {
		return 0
	}
	for _, kv := range auxv {
		if kv[0] == atRseqFeatureLen {
			return kv[1]
		}
	}
	return 0
}

// onFreshThread runs f locked to a thread other than the main one.
func onFreshThread(f func() error) error {
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		done <- f()
	}()
	return <-done
}

// verifyGlibc checks that the sections find the thread pointer and that the
// kernel has exactly glibc's area registered for this thread (EBUSY on
// re-registering the same area, length and signature).
func verifyGlibc(offset uintptr) error {
	if err := arch.CheckThreadPointer(); err != nil {
		return err
	}
	tp := arch.ThreadWord()
	_, _, e := unix.RawSyscall6(sysRseq, tp+offset, areaSize, 0, arch.Signature, 0, 0)
	if e != unix.EBUSY {
		return fmt.Errorf("glibc's area at thread pointer%+d is not the registered one: rseq re-registration returned %v, want EBUSY", offset, errnoName(e))
	}
	if _, st := arch.CurrentIndex(); st != arch.Committed {
		return fmt.Errorf("glibc's area reads as %v", st)
	}
	return nil
}

// probeOwn checks the runtime layout the sections rely on and registers the
// calling thread; ENOSYS or EPERM here means no thread can register.
func probeOwn() error {
	if err := arch.CheckOwnLayout(); err != nil {
		return err
	}
	if w := arch.ThreadWord(); w > 1 {
		return nil // already registered by an earlier call
	}
	if err := registerThread(); err != nil {
		return err
	}
	if idx, st := arch.CurrentIndex(); st != arch.Committed || int(idx) >= nIndexes {
		return fmt.Errorf("registered area reads index %d (%v), want below %d", idx, st, nIndexes)
	}
	return nil
}
