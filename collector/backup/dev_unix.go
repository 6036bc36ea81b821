//go:build unix

package backup

import (
	"io/fs"
	"syscall"
)

// deviceOf is the number of the filesystem holding the file, and whether
// the system told it.
func deviceOf(fi fs.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	// Dev is uint64 on Linux, int32 on Darwin.
	return uint64(st.Dev), true
}
