//go:build !linux || !(amd64 || arm64)

package testmain

func rawRseqErrno() string { return "" }

func blockingWorks() bool { return false }
