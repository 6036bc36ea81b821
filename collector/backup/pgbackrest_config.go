package backup

import (
	"regexp"

	"github.com/golive/golive_exporter/config"
)

var (
	_ config.Kind      = (*PgBackRestCheck)(nil)
	_ config.Defaulter = (*PgBackRestCheck)(nil)
)

// PgBackRestCheck reads pgBackRest's `info --output=json`, by running the
// command or from a file a job wrote.
type PgBackRestCheck struct {
	CommandOrFile `yaml:",inline"`
	// Stanza limits the check to one stanza (--stanza); default all.
	Stanza string `yaml:"stanza,omitempty"`
	// RequireEncryption fails when a repository is not encrypted.
	RequireEncryption bool `yaml:"require_encryption,omitempty"`
	BackupThresholds  `yaml:",inline"`
}

// SetDefaults implements config.Defaulter.
func (c *PgBackRestCheck) SetDefaults() { c.DefaultCommand(DefaultPgBackRestCommand) }

var stanzaRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Validate implements config.Kind.
func (c *PgBackRestCheck) Validate(path string, p *config.Problems) {
	c.ValidateSource(path, DefaultPgBackRestCommand, p)
	if c.Stanza != "" && !stanzaRE.MatchString(c.Stanza) {
		p.Addf(path+".stanza", "%q is not a stanza name; use letters, digits, _, . and -", c.Stanza)
	}
	c.BackupThresholds.validate(path, p)
}
