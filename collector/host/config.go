package host

import (
	"fmt"
	"maps"
	"net"
	"path/filepath"
	"slices"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// The host kinds: their settings live here, beside the checks they
// configure, and register under their keys with their factories.
func init() {
	collector.RegisterKind("log_rotation", func() config.Kind { return new(LogRotationCheck) }, newLogRotation)
	collector.RegisterKind("docker", func() config.Kind { return new(DockerCheck) }, newDocker)
}

var (
	_ config.Kind      = (*LogRotationCheck)(nil)
	_ config.Defaulter = (*LogRotationCheck)(nil)
	_ config.Resolver  = (*LogRotationCheck)(nil)
	_ config.Kind      = (*DockerCheck)(nil)
	_ config.Defaulter = (*DockerCheck)(nil)
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
	MaxFileSize config.ByteSize `yaml:"max_file_size,omitempty"`
	// MaxAge fails the check when the oldest file was last written longer
	// ago (rotated files are not removed).
	MaxAge model.Duration `yaml:"max_age,omitempty"`
	// MaxTotalSize fails the check when all files together are larger.
	MaxTotalSize config.ByteSize `yaml:"max_total_size,omitempty"`
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

// SetDefaults implements config.Defaulter.
func (c *LogRotationCheck) SetDefaults() {
	if c.MaxFiles == 0 {
		c.MaxFiles = DefaultLogRotationMaxFiles
	}
}

// Resolve implements config.Resolver: relative paths are relative to the
// configuration file.
func (c *LogRotationCheck) Resolve(cfg *config.Config) {
	cfg.ResolvePaths(c.Files)
	cfg.ResolvePaths(c.Logrotate)
	cfg.ResolvePaths(c.PythonLogging)
}

// Validate implements config.Kind.
func (c *LogRotationCheck) Validate(path string, p *config.Problems) {
	if len(c.Files) == 0 {
		p.Addf(path+".files", "no log files; list the log files, folders or globs, e.g. [/var/log/sms/*.log*]")
	}
	if c.MaxFileSize == 0 && c.MaxAge == 0 && c.MaxTotalSize == 0 && len(c.Logrotate) == 0 && len(c.PythonLogging) == 0 {
		p.Addf(path, "nothing to judge; set a bound (max_file_size, max_age, max_total_size) and/or where rotation is configured (logrotate, python_logging)")
	}
	config.ValidatePatterns(path+".files", c.Files, p)
	config.ValidatePatterns(path+".logrotate", c.Logrotate, p)
	config.ValidatePatterns(path+".python_logging", c.PythonLogging, p)
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

// Defaults and limits of the docker check.
const (
	DefaultDockerHost       = "unix:///var/run/docker.sock"
	MaxDockerContainers     = 100
	MaxDockerMatches        = 50
	dockerLabelKeyMaxLength = 255
)

// DockerCheck asks the Docker Engine API (over its unix socket, or a
// socket proxy's TCP address) whether the configured containers run and
// are healthy, and how often they restarted. Each entry is one series,
// labelled with its configured name.
type DockerCheck struct {
	// Host is the Engine's address, as in DOCKER_HOST:
	// unix:///var/run/docker.sock (default), tcp://host:2375 or
	// http://host:2375 (plain HTTP, e.g. a read-only socket proxy).
	Host string `yaml:"host,omitempty"`
	// Containers are the containers that must run, each selected by name
	// or by labels.
	Containers []*DockerContainer `yaml:"containers"`
	// MaxRestarts fails the check when a container restarted more often
	// (Docker's RestartCount: restarts by its restart policy since it was
	// created). Unset: restarts are only reported.
	MaxRestarts *int `yaml:"max_restarts,omitempty"`
	// RequireHealthcheck fails a running container that has no
	// healthcheck; by default running is enough for those.
	RequireHealthcheck bool `yaml:"require_healthcheck,omitempty"`
}

// DockerContainer selects the containers of one entry.
type DockerContainer struct {
	// Name is the entry's label value (container="..."), from the config.
	// Without container_name and labels it is also the container's name.
	Name string `yaml:"name"`
	// ContainerName is the container's name as Docker shows it (docker ps),
	// without the leading /.
	ContainerName string `yaml:"container_name,omitempty"`
	// Labels select every container carrying all of them (the replicas of
	// a compose service: com.docker.compose.service: api).
	Labels map[string]string `yaml:"labels,omitempty"`
	// MinCount is how many matching containers must be running. Default 1.
	MinCount int `yaml:"min_count,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *DockerCheck) SetDefaults() {
	if c.Host == "" {
		c.Host = DefaultDockerHost
	}
	for _, e := range c.Containers {
		if e == nil {
			continue
		}
		if e.MinCount == 0 {
			e.MinCount = 1
		}
		if e.ContainerName == "" && len(e.Labels) == 0 {
			e.ContainerName = e.Name
		}
	}
}

// Validate implements config.Kind.
func (c *DockerCheck) Validate(path string, p *config.Problems) {
	switch scheme, rest, _ := strings.Cut(c.Host, "://"); scheme {
	case "unix":
		if !filepath.IsAbs(rest) {
			p.Addf(path+".host", "%q: write the socket's absolute path, e.g. unix:///var/run/docker.sock", c.Host)
		}
	case "tcp", "http":
		if _, _, err := net.SplitHostPort(strings.TrimSuffix(rest, "/")); err != nil {
			p.Addf(path+".host", "%q: write host:port after %s://, e.g. tcp://docker-proxy:2375", c.Host, scheme)
		}
	default:
		p.Addf(path+".host", "%q is not a Docker host; write unix:///var/run/docker.sock, tcp://host:2375 or http://host:2375 (TLS is not supported: use a socket proxy)", c.Host)
	}
	if c.MaxRestarts != nil && *c.MaxRestarts < 0 {
		p.Addf(path+".max_restarts", "is negative; write 0 to allow no restart, or leave it out to only report them")
	}
	switch {
	case len(c.Containers) == 0:
		p.Addf(path+".containers", "no containers; list them, e.g. - {name: api} or - {name: worker, labels: {com.docker.compose.service: worker}}")
	case len(c.Containers) > MaxDockerContainers:
		p.Addf(path+".containers", "%d containers; at most %d per check (each is a series)", len(c.Containers), MaxDockerContainers)
	}
	seen := map[string]bool{}
	for i, e := range c.Containers {
		ep := fmt.Sprintf("%s.containers[%d]", path, i)
		if e == nil {
			p.Addf(ep, "empty entry; give it a name")
			continue
		}
		config.ValidateEntryName(ep+".name", "container", e.Name, "api", seen, p)
		if e.ContainerName != "" && len(e.Labels) > 0 {
			p.Addf(ep, "container_name and labels both select containers; give one of them")
		}
		if strings.HasPrefix(e.ContainerName, "/") {
			p.Addf(ep+".container_name", "write the name without the leading / (%s)", strings.TrimPrefix(e.ContainerName, "/"))
		}
		for _, k := range slices.Sorted(maps.Keys(e.Labels)) {
			if k == "" || len(k) > dockerLabelKeyMaxLength || strings.ContainsAny(k, " \t\n=") {
				p.Addf(ep+".labels."+k, "%q is not a label key", k)
			}
		}
		if e.MinCount < 1 || e.MinCount > MaxDockerMatches {
			p.Addf(ep+".min_count", "min_count %d is out of range; write 1 to %d", e.MinCount, MaxDockerMatches)
		}
	}
}
