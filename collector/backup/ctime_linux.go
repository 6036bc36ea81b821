package backup

import (
	"io/fs"
	"syscall"
	"time"
)

// changeTime is the inode's change time, which a chmod or chown moves as
// well as a write; zero when the system does not say.
func changeTime(fi fs.FileInfo) time.Time {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Unix())
	}
	return time.Time{}
}
