package config

import (
	"fmt"

	"github.com/golive/golive_exporter/internal/files"
)

// ResolvePaths checks paths or globs written at path and makes them
// relative to the configuration file, in place (kinds that read files
// call it from Validate).
func ResolvePaths(path string, paths []string, p *Problems) {
	for i, pt := range paths {
		if err := files.ValidatePattern(pt); err != nil {
			p.Addf(fmt.Sprintf("%s[%d]", path, i), "%v; write a file, folder or glob (filepath.Match syntax, ** for any folders)", err)
			continue
		}
		paths[i] = p.Config().ResolvePath(pt)
	}
}
