package rules

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The board links each check to the runbook of the alert its failure
// fires: the map comes from the rules themselves, so a kind moved to
// another alert moves its link, and every alert named has its runbook.
func TestFailingAlerts(t *testing.T) {
	m, err := FailingAlerts()
	require.NoError(t, err)
	for kind, alert := range map[string]string{
		"tcp":          "GoLiveEndpointCheckFailing",
		"http":         "GoLiveEndpointCheckFailing",
		"tls":          "GoLiveCertificateCheckFailing",
		"postgres":     "GoLiveDatabaseCheckFailing",
		"redis":        "GoLiveCacheCheckFailing",
		"restore":      "GoLiveBackupCheckFailing",
		"loadtest":     "GoLiveTestReportCheckFailing",
		"log_rotation": "GoLiveHostCheckFailing",
		"grafana":      "GoLiveMonitoringCheckFailing",
	} {
		assert.Equal(t, alert, m[kind], kind)
	}
	for kind, alert := range m {
		_, err := os.Stat("runbooks/" + alert + ".md")
		assert.NoError(t, err, "runbook of %s (kind %s)", alert, kind)
	}
	assert.Equal(t, "https://wiki.example.org/sre/GoLiveEndpointCheckFailing.md", RunbookURL("https://wiki.example.org/sre", "GoLiveEndpointCheckFailing"))
	assert.Equal(t, DefaultRunbookBase+"GoLiveEndpointCheckFailing.md", RunbookURL("", "GoLiveEndpointCheckFailing"))
}
