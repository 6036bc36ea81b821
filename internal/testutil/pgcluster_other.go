//go:build !unix

// The PostgreSQL clusters the tests run need Unix users and sockets: here
// a test that asks for one skips, and the tests that would still compile.

package testutil

import (
	"syscall"
	"testing"
)

// PGHome is where a test runs a PostgreSQL cluster of its own; see
// pgcluster.go. On this system NewPGHome skips the test.
type PGHome struct {
	Bin, Dir string
}

// NewPGHome skips the test: its cluster needs Unix users and sockets.
func NewPGHome(t testing.TB, _ string) *PGHome {
	t.Helper()
	t.Skip("a PostgreSQL cluster of the test's own needs a Unix system")
	return nil
}

// sysProcAttr runs a command as the test's own user.
func (h *PGHome) sysProcAttr() *syscall.SysProcAttr { return nil }

// Chown does nothing: the test runs the cluster as its own user.
func (h *PGHome) Chown(testing.TB, ...string) {}
