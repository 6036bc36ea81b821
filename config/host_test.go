package config

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogRotationConfig(t *testing.T) {
	t.Parallel()
	cfg, err := Load([]byte(`checks:
  - name: logs
    log_rotation:
      files: [/var/log/sms/*.log*, logs/**/*.log]
      max_file_size: 100MiB
      max_age: 30d
      max_total_size: 2GiB
      logrotate: [/etc/logrotate.d/sms]
      python_logging: [logging.yaml]
`), "/srv/golive/golive.yml")
	require.NoError(t, err)
	c := cfg.Checks[0].LogRotation
	assert.Equal(t, []string{"/var/log/sms/*.log*", filepath.Join("/srv/golive", "logs/**/*.log")}, c.Files, "relative to the config file")
	assert.Equal(t, ByteSize(100<<20), c.MaxFileSize)
	assert.Equal(t, 30*24*time.Hour, time.Duration(c.MaxAge))
	assert.Equal(t, []string{"/srv/golive/logging.yaml"}, c.PythonLogging)
	assert.Equal(t, DefaultLogRotationMaxFiles, c.MaxFiles)
}

func TestLogRotationConfigRefused(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, yaml, want string }{
		{"no files", "log_rotation: {max_age: 1d}", "t.yml:3: checks[0].log_rotation.files: no log files; list the log files, folders or globs, e.g. [/var/log/sms/*.log*]"},
		{"nothing to judge", "log_rotation: {files: [/var/log/x.log]}", "t.yml:3: checks[0].log_rotation: nothing to judge; set a bound (max_file_size, max_age, max_total_size) and/or where rotation is configured (logrotate, python_logging)"},
		{"bad glob", "log_rotation: {files: [\"/var/log/[\"], max_age: 1d}", "checks[0].log_rotation.files[0]: bad glob element"},
		{"bad size", "log_rotation: {files: [/x], max_file_size: lots}", `"lots" is not a size`},
		{"empty logrotate path", "log_rotation: {files: [/x], logrotate: [\"\"]}", "checks[0].log_rotation.logrotate[0]: empty path"},
		{"too many files", "log_rotation: {files: [/x], max_age: 1d, max_files: 1000000}", "checks[0].log_rotation.max_files: max_files 1000000 is out of range; write 1 to 100000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load([]byte("checks:\n  - name: logs\n    "+c.yaml+"\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
