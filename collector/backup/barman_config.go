package backup

import (
	"regexp"

	"github.com/golive/golive_exporter/config"
)

var (
	_ config.Kind      = (*BarmanCheck)(nil)
	_ config.Defaulter = (*BarmanCheck)(nil)
)

// BarmanCheck reads Barman's `-f json list-backups` (and, with check,
// `-f json check`), by running barman or from files a job wrote.
type BarmanCheck struct {
	CommandOrFile `yaml:",inline"`
	// Server limits the check to one Barman server (a section of
	// barman.conf); default every server in the output.
	Server string `yaml:"server,omitempty"`
	// Check also runs `barman -f json check` (with command): every one of
	// Barman's own checks must be OK ...
	Check bool `yaml:"check,omitempty"`
	// ... or reads that JSON from this file.
	CheckFile        string `yaml:"check_file,omitempty"`
	BackupThresholds `yaml:",inline"`
}

// SetDefaults implements config.Defaulter.
func (c *BarmanCheck) SetDefaults() { c.DefaultCommand(DefaultBarmanCommand) }

// barmanServerRE is what Barman accepts as a server name (a configuration
// section); "all" is its word for every server.
var barmanServerRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Validate implements config.Kind.
func (c *BarmanCheck) Validate(path string, p *config.Problems) {
	c.ValidateSource(path, DefaultBarmanCommand, p)
	if c.Server != "" && (!barmanServerRE.MatchString(c.Server) || c.Server == "all") {
		p.Addf(path+".server", "%q is not a Barman server name; use letters, digits, _, . and - (leave server out for every server)", c.Server)
	}
	if c.Check && c.File != "" && c.CheckFile == "" {
		p.Addf(path+".check", "with file:, barman is not run; give check_file: with the JSON of `barman -f json check`")
	}
	c.BackupThresholds.validate(path, p)
}
