//go:build !unix

// The PostgreSQL clusters the tests run need Unix users and sockets: here
// a test that asks for one skips, and the tests that would still compile.

package testutil

import (
	"context"
	"os/exec"
	"path/filepath"
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

// Cmd returns the command that runs name (a binary of Bin, or a path) in
// Dir.
func (h *PGHome) Cmd(name string, args ...string) *exec.Cmd {
	return h.CmdContext(context.Background(), name, args...)
}

// CmdContext is Cmd, killed when ctx is done.
func (h *PGHome) CmdContext(ctx context.Context, name string, args ...string) *exec.Cmd {
	if !filepath.IsAbs(name) {
		name = filepath.Join(h.Bin, name)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = h.Dir
	return cmd
}

// Chown does nothing: the test runs the cluster as its own user.
func (h *PGHome) Chown(testing.TB, ...string) {}
