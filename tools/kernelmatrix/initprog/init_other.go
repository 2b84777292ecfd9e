//go:build !linux

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "initprog: this is a Linux PID 1; it runs only inside kernelmatrix's initramfs")
	os.Exit(2)
}
