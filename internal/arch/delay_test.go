//go:build rseqdelay

package arch

import "testing"

// The rseqdelay tag promises a build with delay loops in every gap; fail if
// the assembler flag that puts them there was forgotten.
func TestDelayInjected(t *testing.T) {
	if Available && !DelayInjected() {
		t.Fatal("built with -tags rseqdelay but without -asmflags=github.com/gorseq/percpu/internal/arch=-D=RSEQ_DELAY")
	}
}
