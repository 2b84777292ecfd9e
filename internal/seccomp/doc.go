// Package seccomp blocks the rseq system call for the whole process, so the
// tests can run every package as it behaves where a sandbox (Docker's
// default profile on older engines, gVisor, a hardened service) refuses
// restartable sequences.
package seccomp
