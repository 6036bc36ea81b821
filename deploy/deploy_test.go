// Package deploy holds the deployment files (docker-compose, Kubernetes,
// systemd, Prometheus and Alertmanager configs); its tests check them with
// the real tools where they are installed.
package deploy

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/golive/golive_exporter/collector/all" // the examples use every kind
	"github.com/golive/golive_exporter/collector/monitoring"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/golive/golive_exporter/rules"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestAlertmanagerConfig(t *testing.T) {
	amtool := testutil.Tool(t, "amtool")
	out, err := exec.Command(amtool, "check-config", "alertmanager/alertmanager.yml").CombinedOutput()
	require.NoError(t, err, "%s", out)

	cases := []struct {
		name      string
		receivers string
		labels    []string
	}{
		{"critical pages and tells the channel", "pager,go-live-channel", []string{"alertname=GoLiveBackupCheckFailing", "severity=critical", "item=P1.1.04"}},
		{"warning goes to the channel", "go-live-channel", []string{"alertname=GoLiveCertificateCheckWarning", "severity=warning", "item=P1.1.11"}},
		{"info is not routed", "null", []string{"alertname=GoLiveAttestationsOutstanding", "severity=info", "phase=P1", "section=Team Readiness"}},
		{"Watchdog goes to the heartbeat", "heartbeat", []string{"alertname=Watchdog", "severity=info", "item=P1.1.19"}},
		{"no severity falls back to the channel", "go-live-channel", []string{"alertname=Other"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"config", "routes", "test", "--config.file=alertmanager/alertmanager.yml",
				"--verify.receivers=" + tc.receivers}, tc.labels...)
			out, err := exec.Command(amtool, args...).CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), tc.receivers)
		})
	}
	// A wrong expectation is reported: the verification really verifies.
	err = exec.Command(amtool, "config", "routes", "test", "--config.file=alertmanager/alertmanager.yml",
		"--verify.receivers=pager", "severity=warning").Run()
	assert.Error(t, err)

	// Inhibition: critical silences warnings and infos about the same item,
	// never the Watchdog.
	var am struct {
		InhibitRules []struct {
			SourceMatchers []string `yaml:"source_matchers"`
			TargetMatchers []string `yaml:"target_matchers"`
			Equal          []string `yaml:"equal"`
		} `yaml:"inhibit_rules"`
	}
	b, err := os.ReadFile("alertmanager/alertmanager.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &am))
	require.Len(t, am.InhibitRules, 2)
	assert.Equal(t, []string{"item"}, am.InhibitRules[0].Equal)
	assert.Equal(t, []string{"instance", "check"}, am.InhibitRules[1].Equal)
	for _, r := range am.InhibitRules {
		assert.Contains(t, r.TargetMatchers, `alertname!="Watchdog"`)
	}
	// What they suppress is proven on a real Alertmanager:
	// TestInhibitionAgainstAlertmanager.
}

func TestPrometheusConfig(t *testing.T) {
	promtool := testutil.Tool(t, "promtool")
	out, err := exec.Command(promtool, "check", "config", "--syntax-only", "prometheus/prometheus.yml").CombinedOutput()
	require.NoError(t, err, "%s", out)
}

func TestExporterConfigsLoad(t *testing.T) {
	_, err := config.LoadFile("golive/golive.yml")
	require.NoError(t, err)

	// The ConfigMap's embedded configuration.
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	b, err := os.ReadFile("kubernetes/configmap.yaml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &cm))
	_, err = config.Load([]byte(cm.Data["golive.yml"]), "configmap.yaml")
	require.NoError(t, err)
}

func TestKubernetesManifests(t *testing.T) {
	files, err := filepath.Glob("kubernetes/*.yaml")
	require.NoError(t, err)
	kinds := map[string]bool{}
	for _, f := range files {
		dec := yaml.NewDecoder(mustOpen(t, f))
		for {
			var m struct {
				APIVersion string `yaml:"apiVersion"`
				Kind       string `yaml:"kind"`
				Metadata   struct {
					Name string `yaml:"name"`
				} `yaml:"metadata"`
			}
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, f)
			assert.NotEmpty(t, m.APIVersion, f)
			assert.NotEmpty(t, m.Kind, f)
			if m.Kind != "Kustomization" {
				assert.NotEmpty(t, m.Metadata.Name, f)
			}
			kinds[m.Kind] = true
		}
	}
	for _, k := range []string{"Deployment", "Service", "ConfigMap", "Secret", "ServiceMonitor", "PrometheusRule", "Kustomization"} {
		assert.True(t, kinds[k], "no %s manifest", k)
	}
	b, err := os.ReadFile("kubernetes/deployment.yaml")
	require.NoError(t, err)
	for _, want := range []string{"runAsNonRoot: true", "readOnlyRootFilesystem: true", "allowPrivilegeEscalation: false"} {
		assert.Contains(t, string(b), want)
	}
}

func TestComposeStack(t *testing.T) {
	b, err := os.ReadFile("docker-compose.yml")
	require.NoError(t, err)
	var c struct {
		Services map[string]struct {
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(b, &c))
	for _, s := range []string{"golive-exporter", "prometheus", "alertmanager", "grafana", "loki", "promtail", "node-exporter", "cadvisor"} {
		assert.Contains(t, c.Services, s)
	}
	// The mounts land where the configs look: the rule bundle where
	// prometheus.yml's rule_files glob reads, the dashboards where Grafana's
	// file provider reads.
	mountOf := func(service, src string) string {
		for _, v := range c.Services[service].Volumes {
			if parts := strings.Split(v, ":"); parts[0] == src {
				return parts[1]
			}
		}
		return ""
	}
	var prom struct {
		RuleFiles []string `yaml:"rule_files"`
	}
	b, err = os.ReadFile("prometheus/prometheus.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &prom))
	require.Len(t, prom.RuleFiles, 1)
	assert.Equal(t, mountOf("prometheus", "../rules")+"/*.rules.yml", prom.RuleFiles[0])
	var provider struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	b, err = os.ReadFile("grafana/provisioning/dashboards/golive.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &provider))
	require.Len(t, provider.Providers, 1)
	assert.Equal(t, mountOf("grafana", "../dashboards"), provider.Providers[0].Options.Path)
	assert.Equal(t, "/etc/grafana/provisioning", mountOf("grafana", "./grafana/provisioning"))

	// Every file this repository mounts exists.
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			src := strings.Split(v, ":")[0]
			if !strings.HasPrefix(src, ".") || strings.Contains(src, "secrets") {
				continue
			}
			_, err := os.Stat(src)
			assert.NoError(t, err, "service %s mounts %s", name, src)
		}
	}
}

func TestHardening(t *testing.T) {
	unit, err := os.ReadFile("systemd/golive_exporter.service")
	require.NoError(t, err)
	for _, want := range []string{"DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=\n",
		"MemoryDenyWriteExecute=yes", "SystemCallFilter=@system-service", "ExecReload=/bin/kill -HUP $MAINPID"} {
		assert.True(t, bytes.Contains(unit, []byte(want)), "unit lacks %q", want)
	}
	docker, err := os.ReadFile("Dockerfile")
	require.NoError(t, err)
	assert.Contains(t, string(docker), "CGO_ENABLED=0")
	assert.Contains(t, string(docker), "USER 65532:65532")
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// TestPromQLChecksReadTheBundle parses the query of every promql check of
// the shipped configuration and requires each recorded series it reads
// (level:metric:operations) to be recorded by a rule of the bundle: a
// renamed recording rule must not leave a check that silently finds nothing.
func TestPromQLChecksReadTheBundle(t *testing.T) {
	cfg, err := config.LoadFile("golive/golive.yml")
	require.NoError(t, err)
	recorded, err := rules.RecordedNames()
	require.NoError(t, err)
	require.NotEmpty(t, recorded)
	p := parser.NewParser(parser.Options{})
	n := 0
	for _, c := range cfg.Checks {
		pq, ok := c.Spec().(*monitoring.PromQLCheck)
		if !ok {
			continue
		}
		n++
		expr, err := p.ParseExpr(pq.Query)
		require.NoError(t, err, "check %s", c.Name)
		parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
			if vs, ok := node.(*parser.VectorSelector); ok && strings.Count(vs.Name, ":") == 2 {
				assert.True(t, recorded[vs.Name], "check %s reads %s, which no rule of rules/ records", c.Name, vs.Name)
			}
			return nil
		})
	}
	assert.GreaterOrEqual(t, n, 10, "the checklist's rule items are in golive.yml as promql checks")
}

// imageRE is an image reference of the exporter in a manifest.
var imageRE = regexp.MustCompile(`(?m)^\s*(?:-\s+)?image:\s*["']?(\S*golive_exporter\S*?)["']?\s*$`)

// The manifests and the compose file run a released image, tagged with
// CHANGELOG.md's newest release, never :latest (which changes under a
// running deployment) or an untagged or local one.
func TestImagesAreVersioned(t *testing.T) {
	want := "ghcr.io/golive/golive_exporter:v" + testutil.NewestRelease(t)
	var files []string
	require.NoError(t, filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
			files = append(files, path)
		}
		return err
	}))
	found := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range imageRE.FindAllStringSubmatch(string(raw), -1) {
			found[f] = true
			assert.NotContains(t, m[1], ":latest", f)
			assert.Equal(t, want, m[1], "%s: the exporter's image", f)
		}
	}
	assert.True(t, found["docker-compose.yml"], "docker-compose.yml names the exporter's image")
	assert.True(t, found[filepath.Join("kubernetes", "deployment.yaml")], "kubernetes/deployment.yaml names the exporter's image")
}
