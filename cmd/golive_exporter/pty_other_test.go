//go:build !linux

package main

import (
	"os"
	"testing"
)

// openPTY skips the test: the pseudo-terminal helper (pty_linux_test.go)
// uses Linux's /dev/ptmx ioctls.
func openPTY(t *testing.T) (tty *os.File, read func() string) {
	t.Helper()
	t.Skip("the pseudo-terminal helper is written for Linux")
	return nil, nil
}
