package config

import (
	"fmt"

	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/internal/files"
)

// Defaults and limits of the log_rotation check.
const (
	DefaultLogRotationMaxFiles = 10000
	MaxLogRotationMaxFiles     = 100000
)

// LogRotationCheck proves that log rotation is configured and working: the
// log files stay within their size and age bounds, and a logrotate
// configuration or the application's rotating logging handler covers every
// live log file.
type LogRotationCheck struct {
	// Files are the log files, live and rotated: files, folders (every
	// file inside) or globs ("**" for any folders). Relative paths are
	// relative to the configuration file.
	Files []string `yaml:"files"`
	// MaxFileSize fails the check when a file is larger (a log that is
	// not rotated grows without end).
	MaxFileSize ByteSize `yaml:"max_file_size,omitempty"`
	// MaxAge fails the check when the oldest file was last written longer
	// ago (rotated files are not removed).
	MaxAge model.Duration `yaml:"max_age,omitempty"`
	// MaxTotalSize fails the check when all files together are larger.
	MaxTotalSize ByteSize `yaml:"max_total_size,omitempty"`
	// Logrotate are logrotate configuration files, folders or globs
	// (e.g. /etc/logrotate.conf, /etc/logrotate.d/sms); their include
	// directives are followed. Every live log file must be covered.
	Logrotate []string `yaml:"logrotate,omitempty"`
	// PythonLogging are the application's Python logging configurations
	// (dictConfig as YAML or JSON, or a fileConfig ini file); their
	// RotatingFileHandler and TimedRotatingFileHandler handlers cover the
	// files they write.
	PythonLogging []string `yaml:"python_logging,omitempty"`
	// MaxFiles bounds how many files the globs may match; more fails the
	// check. Default 10000.
	MaxFiles int `yaml:"max_files,omitempty"`
}

// SetDefaults implements Defaulter.
func (c *LogRotationCheck) SetDefaults() {
	if c.MaxFiles == 0 {
		c.MaxFiles = DefaultLogRotationMaxFiles
	}
}

// Validate implements Validator.
func (c *LogRotationCheck) Validate(path string, p *Problems) {
	if len(c.Files) == 0 {
		p.Addf(path+".files", "no log files; list the log files, folders or globs, e.g. [/var/log/sms/*.log*]")
	}
	if c.MaxFileSize == 0 && c.MaxAge == 0 && c.MaxTotalSize == 0 && len(c.Logrotate) == 0 && len(c.PythonLogging) == 0 {
		p.Addf(path, "nothing to judge; set a bound (max_file_size, max_age, max_total_size) and/or where rotation is configured (logrotate, python_logging)")
	}
	resolvePaths(path+".files", c.Files, p)
	resolvePaths(path+".logrotate", c.Logrotate, p)
	resolvePaths(path+".python_logging", c.PythonLogging, p)
	if c.MaxFileSize < 0 {
		p.Addf(path+".max_file_size", "is negative; write a size such as 100MiB")
	}
	if c.MaxTotalSize < 0 {
		p.Addf(path+".max_total_size", "is negative; write a size such as 2GiB")
	}
	if c.MaxFiles < 1 || c.MaxFiles > MaxLogRotationMaxFiles {
		p.Addf(path+".max_files", "max_files %d is out of range; write 1 to %d", c.MaxFiles, MaxLogRotationMaxFiles)
	}
}

// resolvePaths checks paths or globs and makes them relative to the
// configuration file, in place.
func resolvePaths(path string, paths []string, p *Problems) {
	for i, pt := range paths {
		if err := files.ValidatePattern(pt); err != nil {
			p.Addf(fmt.Sprintf("%s[%d]", path, i), "%v; write a file, folder or glob (filepath.Match syntax, ** for any folders)", err)
			continue
		}
		paths[i] = p.Config().ResolvePath(pt)
	}
}
