//go:build !linux || !(amd64 || arm64) || purego

package rseq

import "github.com/gorseq/percpu/internal/arch"

// detect reports the fallback: this build has no sections.
func detect() (Mode, IndexKind, string) {
	return ModeFallback, IndexCPU, arch.Build().Error()
}

func ensureRegistered() bool { return false }

func retryRegistered(func() arch.Status) (arch.Status, bool) { return arch.Unregistered, false }

func areasInUse() int { return 0 }

func featureSize() uintptr { return 0 }
