package backup

import "os/exec"

// ownProcessGroup kills only the started process on cancellation: Windows
// has no process groups to signal. A child it started may outlive it, but
// cmd.WaitDelay still bounds how long its pipes can hold the check.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return cmd.Process.Kill()
	}
}
