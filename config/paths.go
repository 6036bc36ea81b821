package config

import (
	"fmt"

	"github.com/golive/golive_exporter/internal/files"
)

// ValidatePatterns checks paths or globs written at path (kinds that read
// files call it from Validate).
func ValidatePatterns(path string, paths []string, p *Problems) {
	for i, pt := range paths {
		if err := files.ValidatePattern(pt); err != nil {
			p.Addf(fmt.Sprintf("%s[%d]", path, i), "%v; write a file, folder or glob (filepath.Match syntax, ** for any folders)", err)
		}
	}
}

// ResolvePaths makes paths or globs relative to the configuration file's
// folder, in place (kinds that read files call it from Resolve).
func (c *Config) ResolvePaths(paths []string) {
	for i, pt := range paths {
		paths[i] = c.ResolvePath(pt)
	}
}
