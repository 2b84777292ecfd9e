// Package seccomp makes the rseq(2) system call fail for the whole process,
// so that the tests can run every package as it behaves where a sandbox
// (gVisor, an older container runtime's default profile, a hardened
// service) refuses restartable sequences.
//
// BlockRseqAndExec installs a seccomp filter on the calling thread and
// replaces the process with a fresh image, so that even the C library's
// start-up registration sees the refusal (see
// [github.com/gorseq/percpu/internal/testmain]). The filter cannot be
// removed and survives execve.
//
// It works on linux/amd64 and linux/arm64; elsewhere it returns an error.
package seccomp
