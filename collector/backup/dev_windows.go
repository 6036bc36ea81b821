package backup

import "io/fs"

// deviceOf has no device number to give on Windows (os.Stat does not
// report the volume): isolated_from then reports that it cannot tell.
func deviceOf(fs.FileInfo) (uint64, bool) { return 0, false }
