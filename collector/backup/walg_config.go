package backup

import "github.com/golive/golive_exporter/config"

var (
	_ config.Kind      = (*WALGCheck)(nil)
	_ config.Defaulter = (*WALGCheck)(nil)
)

// WALGCheck reads WAL-G's `backup-list --detail --json`, by running the
// command or from a file.
type WALGCheck struct {
	CommandOrFile `yaml:",inline"`
	// WALVerify also checks WAL integrity with `wal-g wal-verify integrity
	// timeline --json` (run when command is used) ...
	WALVerify bool `yaml:"wal_verify,omitempty"`
	// ... or reads that JSON from this file.
	WALVerifyFile    string `yaml:"wal_verify_file,omitempty"`
	BackupThresholds `yaml:",inline"`
}

// SetDefaults implements config.Defaulter.
func (c *WALGCheck) SetDefaults() { c.DefaultCommand(DefaultWALGCommand) }

// Validate implements config.Kind.
func (c *WALGCheck) Validate(path string, p *config.Problems) {
	c.ValidateSource(path, DefaultWALGCommand, p)
	if c.WALVerify && c.File != "" && c.WALVerifyFile == "" {
		p.Addf(path+".wal_verify", "with file:, wal-g is not run; give wal_verify_file: with the JSON of `wal-g wal-verify integrity timeline --json`")
	}
	c.BackupThresholds.validate(path, p)
}
