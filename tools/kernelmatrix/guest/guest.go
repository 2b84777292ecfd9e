// Package guest is the contract between kernelmatrix, which runs on the
// host, and its PID-1 init, which runs inside the booted kernel: where the
// run's configuration sits in the initramfs, what it holds, and the marker
// lines init prints on the console.
//
// Every marker line starts with a prefix and the run's token, a random word
// the host chooses for each boot, so that nothing a test prints can pass
// for a marker:
//
//	KMATRIX-BEGIN <token> <name> <kernel release> <machine>
//	KMATRIX-KMSG <token> <kernel log line mentioning rseq>
//	KMATRIX-EXIT <token> <name> <status> <guest seconds>
//
// <status> is the test binary's exit code in decimal, or the name of the
// signal that killed it (SIGSEGV), or "error" when init could not start it.
// The verdict of a run comes from the EXIT line alone: qemu exits 0 even
// when the kernel panicked.
package guest

// ConfigPath is where the host puts the run's Config (JSON) in the
// initramfs.
const ConfigPath = "/kmatrix.json"

// Marker prefixes.
const (
	Begin = "KMATRIX-BEGIN"
	Kmsg  = "KMATRIX-KMSG"
	Exit  = "KMATRIX-EXIT"
	Error = "KMATRIX-INIT-ERROR" // init itself failed; no token is known
)

// StatusError is the EXIT status when the test binary could not be
// started at all.
const StatusError = "error"

// Config tells init what to run.
type Config struct {
	Token  string   `json:"token"`  // echoed in every marker line
	Name   string   `json:"name"`   // the package, echoed in BEGIN and EXIT
	Binary string   `json:"binary"` // absolute path of the test binary
	Args   []string `json:"args"`   // arguments after the binary's name
	Env    []string `json:"env"`    // the child's whole environment
	Dir    string   `json:"dir"`    // the child's working directory
}
