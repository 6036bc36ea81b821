package testutil

import (
	"context"
	"os/exec"
	"path/filepath"
)

// Cmd returns the command that runs name (a binary of Bin, or a path) as
// the owner, in Dir.
func (h *PGHome) Cmd(name string, args ...string) *exec.Cmd {
	return h.CmdContext(context.Background(), name, args...)
}

// CmdContext is Cmd, killed when ctx is done.
func (h *PGHome) CmdContext(ctx context.Context, name string, args ...string) *exec.Cmd {
	if !filepath.IsAbs(name) {
		name = filepath.Join(h.Bin, name)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = h.sysProcAttr()
	cmd.Dir = h.Dir
	return cmd
}
