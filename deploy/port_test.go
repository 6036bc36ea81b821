package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultPortEverywhere holds every place that names the exporter's
// port to the default the binary listens on (DefaultListenAddress in
// cmd/golive_exporter): the Dockerfile, the compose stack and its
// Prometheus, the Kubernetes manifests, the systemd unit, the README and
// the docs, which also give the reason for the choice.
func TestDefaultPortEverywhere(t *testing.T) {
	src, err := os.ReadFile("../cmd/golive_exporter/main.go")
	require.NoError(t, err)
	m := regexp.MustCompile(`const DefaultListenAddress = ":(\d+)"`).FindSubmatch(src)
	require.NotNil(t, m, "DefaultListenAddress in cmd/golive_exporter/main.go")
	port := string(m[1])

	for file, wants := range map[string][]string{
		"Dockerfile":                      {"EXPOSE " + port + "\n"},
		"docker-compose.yml":              {`ports: ["` + port + ":" + port + `"]`},
		"prometheus/prometheus.yml":       {`"golive-exporter:` + port + `"`},
		"kubernetes/deployment.yaml":      {"containerPort: " + port + "\n"},
		"kubernetes/service.yaml":         {"port: " + port + "\n"},
		"systemd/golive_exporter.service": {"--web.listen-address=:" + port + "\n"},
		"../README.md":                    {"http://localhost:" + port + "/"},
		"../docs/deploy.md":               {"| `golive-exporter` | " + port + " |", "| `service.yaml` | port " + port + " |"},
		"../dashboards/dashboards.go":     {`"http://localhost:` + port + `/"`},
		"../docs/monitoring.md":           {"http://localhost:" + port + "/"},
	} {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, want := range wants {
			assert.True(t, strings.Contains(string(b), want), "%s does not say %q", file, want)
		}
	}

	core := testutil.Doc(t, "core.md")
	assert.True(t, strings.Contains(core, "| `--web.listen-address` | `:"+port+"` |"), "docs/core.md's flag table gives the default port")
	_, sec, ok := strings.Cut(core, "\n### Default port\n")
	require.True(t, ok, "docs/core.md explains the default port under ### Default port")
	sec, _, _ = strings.Cut(sec, "\n#")
	sec = strings.Join(strings.Fields(sec), " ")
	for _, want := range []string{port, "9100-9999", "Default port allocations", "IoTDB"} {
		assert.True(t, strings.Contains(sec, want), "docs/core.md's Default port section does not mention %q", want)
	}
}
