package backup

import (
	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/config"
)

var (
	_ config.Kind      = (*RestoreResultCheck)(nil)
	_ config.Defaulter = (*RestoreResultCheck)(nil)
)

// Formats of the restore_result check.
const (
	RestoreResultAuto  = "auto"
	RestoreResultJSON  = "json"
	RestoreResultJUnit = "junit"
)

// RestoreResultCheck reads the result a separate restore job left: a marker
// JSON ({"status": "success", "finished_at": ...}) or a JUnit report.
type RestoreResultCheck struct {
	File string `yaml:"file"`
	// Format is auto (by extension: .xml is JUnit), json or junit.
	Format string `yaml:"format,omitempty"`
	// MaxAge is the oldest the result may be (e.g. 8d for a weekly test).
	MaxAge model.Duration `yaml:"max_age,omitempty"`
	// MaxSize bounds the file read (default 64MiB).
	MaxSize config.ByteSize `yaml:"max_size,omitempty"`
	// MaxDuration fails a result whose restore took longer (when the marker
	// gives duration_seconds).
	MaxDuration model.Duration `yaml:"max_duration,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *RestoreResultCheck) SetDefaults() {
	if c.Format == "" {
		c.Format = RestoreResultAuto
	}
	if c.MaxSize <= 0 {
		c.MaxSize = DefaultMaxOutput
	}
}

// Validate implements config.Kind.
func (c *RestoreResultCheck) Validate(path string, p *config.Problems) {
	if c.File == "" {
		p.Addf(path+".file", "missing; give the marker JSON or JUnit report the restore job writes")
	}
	switch c.Format {
	case RestoreResultAuto, RestoreResultJSON, RestoreResultJUnit:
	default:
		p.Addf(path+".format", "unknown format %q; write auto, json or junit", c.Format)
	}
	if c.MaxAge < 0 {
		p.Addf(path+".max_age", "must not be negative")
	}
}
