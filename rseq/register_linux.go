//go:build linux && (amd64 || arm64) && !purego

package rseq

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gorseq/percpu/internal/arch"
)

// Thread registration in own mode: each thread that runs a section gets a
// struct rseq area of its own, registered with rseq(2) the first time one
// of its sections reports Unregistered, and kept in its m.tls[1].

var errThreadUnusable = errors.New("this thread cannot register")

// ensureRegistered registers the calling thread if it has no area yet. It
// reports whether the thread can now run sections.
func ensureRegistered() bool {
	if mode != ModeOwn {
		return false
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return registeredHere()
}

// retryRegistered registers the calling thread and runs retry on it, the
// goroutine locked to the thread meanwhile: unlocked, the scheduler could
// move it between the registration and the retry to another thread that has
// no area yet, and the retry would report Unregistered again. It reports
// false, without running retry, when the thread cannot run sections.
func retryRegistered(retry func() arch.Status) (arch.Status, bool) {
	if mode != ModeOwn {
		return arch.Unregistered, false
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if !registeredHere() {
		return arch.Unregistered, false
	}
	return retry(), true
}

// registeredHere registers the calling thread, which the caller has locked,
// if it has no area yet, and reports whether it can run sections.
func registeredHere() bool {
	switch arch.ThreadWord() {
	case 0:
		return registerThread() == nil
	case 1:
		return false
	}
	return true
}

// registerThread registers an area for the calling (locked) thread and
// publishes it in FS:0; on failure it marks the thread unusable (FS:0 = 1)
// so its sections report Unavailable without another system call.
func registerThread() error {
	area := areas.get()
	_, _, e := unix.RawSyscall6(sysRseq, uintptr(area), areaSize, 0, arch.Signature, 0, 0)
	if e != 0 {
		areas.put(area)
		arch.SetThreadWord(1)
		threadsFailed.Add(1)
		msg := "rseq(2) returned " + errnoName(e)
		if e == unix.EINVAL {
			msg += " (the thread already has an area: a PIE binary's main thread, registered by the dynamic loader)"
		}
		threadFailReason.Store(&msg)
		return errors.New(msg)
	}
	areas.registered(area, unix.Gettid())
	arch.SetThreadWord(uintptr(area))
	threadsRegistered.Add(1)
	return nil
}

func errnoName(e unix.Errno) string {
	if n := unix.ErrnoName(e); n != "" {
		return n
	}
	return "errno " + strconv.Itoa(int(e))
}

// areaPool hands out 32-byte, 32-aligned areas from mmap'd pages. An area
// must stay mapped while its thread lives; it is reused only once its
// thread id no longer exists (a reused id keeps the area: safe, not lost).
type areaPool struct {
	mu    sync.Mutex
	free  []unsafe.Pointer
	inUse map[unsafe.Pointer]int // area → thread id
}

var areas = areaPool{inUse: map[unsafe.Pointer]int{}}

func (p *areaPool) get() unsafe.Pointer {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == 0 {
		p.reclaim()
	}
	if len(p.free) == 0 {
		page, err := unix.Mmap(-1, 0, os.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
		if err != nil {
			panic("rseq: cannot map thread areas: " + err.Error())
		}
		// The mapping is never unmapped: the kernel may write any area in it.
		for off := 0; off < len(page); off += areaSize {
			p.free = append(p.free, unsafe.Pointer(&page[off]))
		}
	}
	a := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return a
}

func (p *areaPool) put(a unsafe.Pointer) {
	p.mu.Lock()
	p.free = append(p.free, a)
	p.mu.Unlock()
}

func (p *areaPool) registered(a unsafe.Pointer, tid int) {
	p.mu.Lock()
	p.inUse[a] = tid
	p.mu.Unlock()
}

// reclaim frees the areas of threads that have exited. Caller holds mu.
func (p *areaPool) reclaim() {
	pid := unix.Getpid()
	for a, tid := range p.inUse {
		if unix.Tgkill(pid, tid, 0) == unix.ESRCH {
			delete(p.inUse, a)
			*(*[areaSize]byte)(a) = [areaSize]byte{} // the kernel no longer writes it
			p.free = append(p.free, a)
		}
	}
}

// areasInUse reports how many areas belong to live or unchecked threads.
func areasInUse() int {
	areas.mu.Lock()
	defer areas.mu.Unlock()
	return len(areas.inUse)
}
