package host

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogRotationConfig(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load([]byte(`checks:
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
	c := cfg.Checks[0].Spec().(*LogRotationCheck)
	assert.Equal(t, []string{"/var/log/sms/*.log*", filepath.Join("/srv/golive", "logs/**/*.log")}, c.Files, "relative to the config file")
	assert.Equal(t, config.ByteSize(100<<20), c.MaxFileSize)
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
			_, err := config.Load([]byte("checks:\n  - name: logs\n    "+c.yaml+"\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestDockerConfig(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load([]byte(`checks:
  - name: containers
    docker:
      max_restarts: 0
      containers:
        - {name: api}
        - {name: db, container_name: sms-postgres-1}
        - {name: worker, labels: {com.docker.compose.project: sms, com.docker.compose.service: worker}, min_count: 2}
`), "t.yml")
	require.NoError(t, err)
	c := cfg.Checks[0].Spec().(*DockerCheck)
	assert.Equal(t, DefaultDockerHost, c.Host)
	require.Len(t, c.Containers, 3)
	assert.Equal(t, "api", c.Containers[0].ContainerName, "the name is the container's name")
	assert.Equal(t, 1, c.Containers[0].MinCount)
	assert.Equal(t, "sms-postgres-1", c.Containers[1].ContainerName)
	assert.Equal(t, "", c.Containers[2].ContainerName, "labels select")
	assert.Equal(t, 2, c.Containers[2].MinCount)
	assert.Equal(t, 0, *c.MaxRestarts)
}

func TestDockerConfigRefused(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, yaml, want string }{
		{"no containers", "docker: {host: \"unix:///run/docker.sock\"}", "t.yml:3: checks[0].docker.containers: no containers"},
		{"bad host", "docker:\n      host: /var/run/docker.sock\n      containers: [{name: a}]", `t.yml:4: checks[0].docker.host: "/var/run/docker.sock" is not a Docker host; write unix:///var/run/docker.sock`},
		{"relative socket", "docker:\n      host: unix://docker.sock\n      containers: [{name: a}]", `checks[0].docker.host: "unix://docker.sock": write the socket's absolute path`},
		{"tcp without port", "docker:\n      host: tcp://proxy\n      containers: [{name: a}]", `checks[0].docker.host: "tcp://proxy": write host:port after tcp://`},
		{"no name", "docker:\n      containers: [{container_name: x}]", "checks[0].docker.containers[0].name: container has no name"},
		{"name twice", "docker:\n      containers: [{name: a}, {name: a}]", `checks[0].docker.containers[1].name: container name "a" is used twice`},
		{"both selectors", "docker:\n      containers: [{name: a, container_name: x, labels: {k: v}}]", "checks[0].docker.containers[0]: container_name and labels both select containers; give one of them"},
		{"leading slash", "docker:\n      containers: [{name: a, container_name: /x}]", "checks[0].docker.containers[0].container_name: write the name without the leading / (x)"},
		{"min_count", "docker:\n      containers: [{name: a, min_count: 500}]", "checks[0].docker.containers[0].min_count: min_count 500 is out of range; write 1 to 50"},
		{"negative restarts", "docker:\n      max_restarts: -1\n      containers: [{name: a}]", "checks[0].docker.max_restarts: is negative"},
		{"unknown key", "docker:\n      containers: [{name: a, image: x}]", `checks[0].docker.containers[0].image: unknown key "image"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Load([]byte("checks:\n  - name: containers\n    "+c.yaml+"\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// A registered kind's settings are written back under its key by
// Config.Marshal (the /config endpoint), after the check's own keys, and
// what is written loads again to the same settings; several kinds in one
// check, or a kind written empty, are refused as for any kind.
func TestHostKindsRoundTrip(t *testing.T) {
	t.Parallel()
	yml := `checks:
  - name: logs
    items: [P1.1.01]
    log_rotation: {files: [/var/log/sms/*.log], max_age: 30d, max_file_size: 100MiB}
  - name: containers
    docker: {containers: [{name: api}]}
`
	cfg, err := config.Load([]byte(yml), "/srv/golive/golive.yml")
	require.NoError(t, err)
	out, err := cfg.Marshal()
	require.NoError(t, err)
	assert.Contains(t, string(out), "  - name: logs\n    items:\n      - P1.1.01\n    timeout: 10s\n    log_rotation:\n      files:\n        - /var/log/sms/*.log\n")
	again, err := config.Load(out, "/srv/golive/golive.yml")
	require.NoError(t, err, "%s", out)
	assert.Equal(t, cfg.Checks[0].Spec(), again.Checks[0].Spec())
	assert.Equal(t, cfg.Checks[1].Spec(), again.Checks[1].Spec())
	assert.Equal(t, "docker", again.Checks[1].Kind())

	for _, tc := range []struct{ name, yaml, want string }{
		{"two kinds", "log_rotation: {files: [/x], max_age: 1d}\n    docker: {containers: [{name: a}]}", `t.yml:2: checks[0]: check "c" has several kinds (log_rotation, docker); split it into one check per kind`},
		{"empty kind", "docker:", `t.yml:2: checks[0]: check "c" has no kind; add one of:`},
		{"misspelt", "dokcer: {containers: [{name: a}]}", `t.yml:3: checks[0].dokcer: unknown key "dokcer" (did you mean "docker"?)`},
		{"wrong shape", "docker: [a]", `t.yml:3: checks[0].docker: this is a list; write a mapping (key: value lines) here`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load([]byte("checks:\n  - name: c\n    "+tc.yaml+"\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
