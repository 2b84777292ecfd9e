package main

import "runtime"

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
	}
}
