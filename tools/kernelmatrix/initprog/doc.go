// Command initprog is kernelmatrix's PID 1: a small static program that the
// host puts at /init in the initramfs of every boot.
//
// It mounts proc, sysfs, devtmpfs and a tmpfs on /tmp, reads the run's
// configuration (see package guest), runs the test binary as its child with
// the given arguments and environment, prints the child's exit status in a
// marker line, prints the kernel log lines that mention rseq, drains the
// console and powers the machine off. It never returns: PID 1 exiting would
// panic the kernel, and the host could not tell that from a failure.
package main
