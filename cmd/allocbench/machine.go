package main

import (
	"runtime"

	"github.com/dustin/go-humanize"
)

// newHeader describes this machine and the run cfg asks for. The host name
// is left out on purpose: results get shared.
func newHeader(cfg *config) Header {
	return Header{
		CPU:        cpuModel(),
		Cores:      runtime.NumCPU(),
		Go:         runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		Kernel:     kernel(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Mode:       modeLine(),
		Benchtime:  cfg.benchtime.String(),
		Count:      cfg.count,
		KVLive:     kvLiveHeader(cfg),
	}
}

// kvLiveHeader returns -kvlive for the header if a kv workload runs, else "".
func kvLiveHeader(cfg *config) string {
	for _, w := range cfg.workloads {
		if w.Uses == shapeKV {
			return humanize.IBytes(uint64(cfg.kvLive))
		}
	}
	return ""
}
