package backup

import (
	"strings"

	"github.com/golive/golive_exporter/config"
)

var (
	_ config.Kind      = (*DumpFolderCheck)(nil)
	_ config.Defaulter = (*DumpFolderCheck)(nil)
)

// DumpFolderCheck inspects a folder of pg_dump files (custom, directory or
// plain SQL, optionally gzip-compressed).
type DumpFolderCheck struct {
	DumpSelection    `yaml:",inline"`
	BackupThresholds `yaml:",inline"`
	// MinSize: a newest dump smaller than this fails (a failed pg_dump | gzip
	// still leaves a small file).
	MinSize config.ByteSize `yaml:"min_size,omitempty"`
	// FailureMarker is a file the backup script leaves when it fails (e.g.
	// .backup_error); a name without a folder is looked up in the folder of
	// the glob. Its presence fails the check.
	FailureMarker string `yaml:"failure_marker,omitempty"`
	// Secure fails dumps readable or writable by every user (default true).
	Secure *bool `yaml:"secure,omitempty"`
	// IsolatedFrom is the database's data directory: the dumps must be on
	// another filesystem ("isolated").
	IsolatedFrom string `yaml:"isolated_from,omitempty"`
	// SidecarReplaceSuffix names the sidecar by replacing this end of the
	// dump's name with sidecar_suffix instead of appending it: .sql.gz with
	// sidecar_suffix .meta reads backup_x.meta beside backup_x.sql.gz.
	SidecarReplaceSuffix string `yaml:"sidecar_replace_suffix,omitempty"`
	// RequireSidecar fails the check when the newest dump has no sidecar.
	RequireSidecar bool `yaml:"require_sidecar,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *DumpFolderCheck) SetDefaults() {
	c.DumpSelection.setDefaults()
	if c.Secure == nil {
		t := true
		c.Secure = &t
	}
}

// Validate implements config.Kind.
func (c *DumpFolderCheck) Validate(path string, p *config.Problems) {
	c.DumpSelection.validate(path, p)
	c.BackupThresholds.validate(path, p)
	if c.MinSize < 0 {
		p.Addf(path+".min_size", "must not be negative")
	}
	if strings.ContainsRune(c.SidecarReplaceSuffix, '/') {
		p.Addf(path+".sidecar_replace_suffix", "%q is not the end of a file name; write e.g. .sql.gz", c.SidecarReplaceSuffix)
	}
}
