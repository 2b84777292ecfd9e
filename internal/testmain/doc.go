// Package testmain is the TestMain of every package in this module:
//
//	func TestMain(m *testing.M) { testmain.Run(m) }
//
// Run fails the tests of a package if goroutines outlive them (with
// [go.uber.org/goleak]), and it runs them with rseq(2) blocked when the
// environment asks:
//
//	PERCPU_TEST_BLOCK_RSEQ=ENOSYS go test ./...
//	PERCPU_TEST_BLOCK_RSEQ=EPERM go test ./...
//
// Blocking installs a seccomp filter (package
// [github.com/gorseq/percpu/internal/seccomp]) and re-executes the test
// binary, so that glibc's start-up registration of rseq, which runs before
// any Go code, is refused too, and every package sees what it would see in
// a sandbox that forbids restartable sequences. The re-executed binary
// carries PERCPU_TEST_BLOCK_RSEQ_APPLIED=1, and [RseqBlocked] reports the
// errno, so tests can assert the mode they expect.
//
// Where the filter cannot be installed (other operating systems and
// architectures, qemu-user), the tests fail rather than run unblocked.
package testmain
