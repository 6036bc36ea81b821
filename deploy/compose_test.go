package deploy

import (
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/collector/monitoring"
	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// composeService is what the reachability test needs of a compose service.
type composeService struct {
	NetworkMode string   `yaml:"network_mode"`
	ExtraHosts  []string `yaml:"extra_hosts"`
	Ports       []string `yaml:"ports"`
	Expose      []string `yaml:"expose"`
	Command     []string `yaml:"command"`
	Volumes     []string `yaml:"volumes"`
}

func readCompose(t *testing.T) map[string]composeService {
	t.Helper()
	b, err := os.ReadFile("docker-compose.yml")
	require.NoError(t, err)
	var c struct {
		Services map[string]composeService `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(b, &c))
	return c.Services
}

// listens reports the container ports a service declares: the container
// side of ports, expose, and --web.listen-address in its command (the only
// declaration a service on the host's network has).
func (s composeService) listens(port string) bool {
	for _, p := range s.Ports {
		parts := strings.Split(p, ":")
		if strings.Split(parts[len(parts)-1], "/")[0] == port {
			return true
		}
	}
	for _, p := range s.Expose {
		if p == port {
			return true
		}
	}
	for _, a := range s.Command {
		if v, ok := strings.CutPrefix(a, "--web.listen-address="); ok {
			if _, p, err := net.SplitHostPort(v); err == nil && p == port {
				return true
			}
		}
	}
	return false
}

// reach says why host:port, dialled from the container of service from,
// reaches a service of the stack, or returns an error text.
func reach(services map[string]composeService, from, hostport string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return err.Error()
	}
	self := services[from]
	if host == "localhost" || host == "127.0.0.1" {
		if self.listens(port) {
			return ""
		}
		return from + " itself does not listen on " + port
	}
	// A name the service maps to the Docker host: some service on the
	// host's network must listen there.
	for _, h := range self.ExtraHosts {
		if name, target, _ := strings.Cut(h, ":"); name == host && target == "host-gateway" {
			if host == "app" {
				// The application under test runs on the Docker host,
				// outside the stack, where the embedded default config
				// looks for it too.
				return ""
			}
			for _, s := range services {
				if s.NetworkMode == "host" && s.listens(port) {
					return ""
				}
			}
			return host + " is the Docker host, but no service on the host's network listens on " + port
		}
	}
	s, ok := services[host]
	if !ok {
		return host + " is no service of docker-compose.yml and not in " + from + "'s extra_hosts"
	}
	if s.NetworkMode == "host" {
		return host + " runs on the host's network: its service name does not resolve; use host.docker.internal with extra_hosts"
	}
	if !s.listens(port) {
		return host + " declares no port " + port + " (ports, expose or --web.listen-address)"
	}
	return ""
}

// TestComposeTargetsReachable holds the stack to working on its first
// start: every target Prometheus scrapes and every URL the exporter's
// checks open is a service of the compose file listening on that port (or
// the Docker host, for node_exporter on the host's network and the
// application under test), so that the stack's own prometheus check (every
// target up) passes without a Docker daemon having to prove it here.
func TestComposeTargetsReachable(t *testing.T) {
	services := readCompose(t)

	// node_exporter measures the host: its network, not a container's.
	assert.Equal(t, "host", services["node-exporter"].NetworkMode, "node-exporter on the host's network, so that the network rule sees the host's interfaces")

	var prom struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
			FileSDConfigs []struct {
				Files []string `yaml:"files"`
			} `yaml:"file_sd_configs"`
		} `yaml:"scrape_configs"`
	}
	b, err := os.ReadFile("prometheus/prometheus.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &prom))
	var jobs []string
	for _, sc := range prom.ScrapeConfigs {
		jobs = append(jobs, sc.JobName)
		for _, st := range sc.StaticConfigs {
			for _, target := range st.Targets {
				assert.Empty(t, reach(services, "prometheus", target), "job %s scrapes %s", sc.JobName, target)
			}
		}
		// A file_sd glob reads a folder the compose file mounts; the files
		// the repository ships there are target lists whose targets are
		// reachable too (none by default: the application's job stays
		// empty until its address is written there), and so are those of
		// the example beside them.
		for _, fs := range sc.FileSDConfigs {
			for _, glob := range fs.Files {
				src := mountSource(services["prometheus"], path.Dir(glob))
				require.NotEmpty(t, src, "job %s reads %s, which no volume of the prometheus service mounts", sc.JobName, glob)
				files, err := filepath.Glob(filepath.Join(src, path.Base(glob)))
				require.NoError(t, err)
				// The example a user copies there, too.
				examples, err := filepath.Glob(filepath.Join(src, path.Base(glob)+".example"))
				require.NoError(t, err)
				files = append(files, examples...)
				for _, f := range files {
					var groups []struct {
						Targets []string `yaml:"targets"`
					}
					b, err := os.ReadFile(f)
					require.NoError(t, err)
					require.NoError(t, yaml.Unmarshal(b, &groups), f)
					for _, g := range groups {
						for _, target := range g.Targets {
							assert.Empty(t, reach(services, "prometheus", target), "%s lists %s", f, target)
						}
					}
				}
			}
		}
	}
	assert.Contains(t, jobs, "golive", "the GoLiveExporterDown alert matches job=~\".*golive.*\"")

	// Every URL of the exporter's checks is reachable from its container.
	raw, err := os.ReadFile("golive/golive.yml")
	require.NoError(t, err)
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	urls := map[string]bool{}
	collectURLs(&doc, urls)
	require.NotEmpty(t, urls)
	for raw := range urls {
		u, err := url.Parse(raw)
		require.NoError(t, err, raw)
		hostport := u.Host
		if u.Port() == "" {
			hostport = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
		}
		assert.Empty(t, reach(services, "golive-exporter", hostport), "golive.yml opens %s", raw)
	}

	// The stack's prometheus check: the jobs it ignores are jobs of
	// prometheus.yml (a renamed job must not start counting again
	// unnoticed), and it reads this Prometheus.
	cfg, err := config.LoadFile("golive/golive.yml")
	require.NoError(t, err)
	n := 0
	for _, c := range cfg.Checks {
		pc, ok := c.Spec().(*monitoring.PrometheusCheck)
		if !ok {
			continue
		}
		n++
		assert.Empty(t, reach(services, "golive-exporter", strings.TrimPrefix(pc.BaseURL(), "http://")), "check %s", c.Name)
		for _, j := range pc.IgnoreJobs {
			assert.Contains(t, jobs, j, "check %s ignores job %s, which prometheus.yml does not have", c.Name, j)
		}
	}
	assert.Equal(t, 1, n, "golive.yml checks the stack's Prometheus")
}

// TestComposeReachDetectsBrokenTargets shows that the reachability rules
// above fail what would be down on a real start.
func TestComposeReachDetectsBrokenTargets(t *testing.T) {
	services := readCompose(t)
	for _, target := range []string{
		"api:8080",             // not a service and not mapped to the host
		"node-exporter:9100",   // on the host's network: no service name
		"prometheus:9999",      // a service, but not that port
		"host.docker.internal", // no port
	} {
		assert.NotEmpty(t, reach(services, "prometheus", target), target)
	}
	assert.NotEmpty(t, reach(services, "grafana", "host.docker.internal:9100"), "grafana has no host-gateway entry")
	assert.NotEmpty(t, reach(services, "grafana", "app:8080"), "grafana does not map app to the host")
}

func mountSource(s composeService, target string) string {
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && parts[1] == target {
			return parts[0]
		}
	}
	return ""
}

func collectURLs(n *yaml.Node, out map[string]bool) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; k.Value == "url" && v.Kind == yaml.ScalarNode {
				out[v.Value] = true
			}
		}
	}
	for _, c := range n.Content {
		collectURLs(c, out)
	}
}
