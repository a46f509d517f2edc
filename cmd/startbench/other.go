//go:build !(linux && cgo)

// Command startbench measures start to first frame under X on Linux; see main.go.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "startbench: runs on Linux under X (with cgo) only")
	os.Exit(1)
}
