package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestInhibitionAgainstAlertmanager proves the shipped inhibit rules on a
// real Alertmanager (only a running one says what it suppresses): a
// critical alert silences the warnings and infos about its own checklist
// item, or, for a check bound to no item, about its own check, and nothing
// else: an item-less critical must not swallow every other item-less alert
// (the per-section attestation alert, another check's warning).
func TestInhibitionAgainstAlertmanager(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Alertmanager")
	}
	bin := testutil.Tool(t, "prometheus-alertmanager")
	dir := t.TempDir()
	b, err := os.ReadFile("alertmanager/alertmanager.yml")
	require.NoError(t, err)
	var cfg map[string]any
	require.NoError(t, yaml.Unmarshal(b, &cfg))
	// Receivers read secrets from files this machine lacks: keep the names,
	// drop the integrations; routing and inhibition stay as shipped.
	var receivers []any
	for _, r := range cfg["receivers"].([]any) {
		receivers = append(receivers, map[string]any{"name": r.(map[string]any)["name"]})
	}
	cfg["receivers"] = receivers
	out, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	cfgPath := filepath.Join(dir, "alertmanager.yml")
	require.NoError(t, os.WriteFile(cfgPath, out, 0o600))

	addr := testutil.FreeAddr(t)
	cmd := exec.Command(bin, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := "http://" + addr
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "alertmanager did not start: %s", &logs)

	type alert struct {
		id     string
		labels map[string]string
		want   string // active or suppressed
	}
	alerts := []alert{
		{"item critical", map[string]string{"alertname": "GoLiveEndpointCheckFailing", "severity": "critical", "check": "app_health", "item": "P3.1.04", "instance": "ex:1"}, "active"},
		{"same item warning", map[string]string{"alertname": "GoLiveChecklistItemOverdue", "severity": "warning", "item": "P3.1.04", "instance": "ex:1"}, "suppressed"},
		{"other item warning", map[string]string{"alertname": "GoLiveChecklistItemOverdue", "severity": "warning", "item": "P1.1.04", "instance": "ex:1"}, "active"},
		{"item-less critical", map[string]string{"alertname": "GoLiveEndpointCheckFailing", "severity": "critical", "check": "api_extra", "kind": "http", "instance": "ex:1"}, "active"},
		{"same item-less check warning", map[string]string{"alertname": "GoLiveEndpointCheckWarning", "severity": "warning", "check": "api_extra", "kind": "http", "instance": "ex:1"}, "suppressed"},
		{"other item-less check warning", map[string]string{"alertname": "GoLiveDataCheckWarning", "severity": "warning", "check": "orphans", "kind": "sql", "instance": "ex:1"}, "active"},
		{"section attestations info", map[string]string{"alertname": "GoLiveAttestationsOutstanding", "severity": "info", "phase": "P1", "section": "Team Readiness", "instance": "ex:1"}, "active"},
		{"watchdog", map[string]string{"alertname": "Watchdog", "severity": "info", "item": "P3.1.04"}, "active"},
	}
	var post []map[string]any
	for _, a := range alerts {
		post = append(post, map[string]any{"labels": a.labels, "startsAt": time.Now().Add(-time.Minute).Format(time.RFC3339)})
	}
	body, err := json.Marshal(post)
	require.NoError(t, err)
	resp, err := http.Post(base+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	key := func(l map[string]string) string {
		return fmt.Sprintf("%s/%s/%s/%s", l["alertname"], l["item"], l["check"], l["section"])
	}
	states := func() map[string]string {
		resp, err := http.Get(base + "/api/v2/alerts")
		if err != nil {
			return nil
		}
		defer resp.Body.Close()
		var got []struct {
			Labels map[string]string `json:"labels"`
			Status struct {
				State string `json:"state"`
			} `json:"status"`
		}
		if json.NewDecoder(resp.Body).Decode(&got) != nil {
			return nil
		}
		out := map[string]string{}
		for _, g := range got {
			out[key(g.Labels)] = g.Status.State
		}
		return out
	}
	// Inhibition is evaluated as alerts arrive; wait until Alertmanager has
	// settled on a state for each.
	var last map[string]string
	ok := assert.Eventually(t, func() bool {
		last = states()
		for _, a := range alerts {
			if last[key(a.labels)] != a.want {
				return false
			}
		}
		return true
	}, 15*time.Second, 200*time.Millisecond)
	if !ok {
		for _, a := range alerts {
			assert.Equal(t, a.want, last[key(a.labels)], a.id)
		}
	}
}
