package checklist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/require"
)

// goLive is the go-live time of the fixtures.
var goLive = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// smallTSV is a checklist of five items across the phases that matter for
// the verdict: two automated P1 items, a manual P1 item, a go-live-day probe
// and a sign-off.
const smallTSV = "id\tphase\tsection\tgroup\titem\tautomation\thow_it_is_verified\n" +
	"P1.1.01\tP1\tInfrastructure Verification\tDatabase Backup\tBackup exists\tprobe\tnewest backup\n" +
	"P1.1.02\tP1\tInfrastructure Verification\tDatabase Backup\tRestore tested\tprobe\trestore check\n" +
	"P1.2.01\tP1\tData Preparation\tData Preparation\tLegacy export done\tmanual\t\n" +
	"P3.1.01\tP3\tMorning (Before Go-Live)\tMorning\tServers up\tprobe\ttcp\n" +
	"SO.1.01\tSO\tProject Leadership Approval\tProject Leadership Approval\tProject Manager signs\tmanual\t\n"

// fixture writes files into a temporary folder and loads config.yml from
// it as the exporter does (with its checklist); files maps names to
// contents.
func fixture(t *testing.T, files map[string]string) (*config.Config, error) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	cfg, _, err := LoadConfigFile(filepath.Join(dir, "config.yml"))
	return cfg, err
}

// mustModel loads a fixture and returns the model its load built.
func mustModel(t *testing.T, files map[string]string) *Model {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	_, m, err := LoadConfigFile(filepath.Join(dir, "config.yml"))
	require.NoError(t, err)
	require.NotNil(t, m)
	return m
}

// smallModel is the model of baseConfig (no checks' settings added) with
// the small checklist and attest.yml holding attestations.
func smallModel(t *testing.T, attestations string) *Model {
	t.Helper()
	return mustModel(t, map[string]string{
		"config.yml": strings.Replace(baseConfig, "%s", "", 1),
		"small.tsv":  smallTSV,
		"attest.yml": attestations,
	})
}

// res is a result of check name.
func res(name string, status collector.Status, items ...string) collector.Result {
	r := collector.Result{Check: name, Kind: "tcp", Status: status, Items: items, Start: goLive.Add(-time.Hour), Reason: collector.ReasonNone}
	if status == collector.StatusFail {
		r.Reason, r.Message = collector.ReasonConnRefused, "dial tcp 127.0.0.1:1: connection refused"
	}
	return r
}

// itemState finds an item's status.
func itemState(t *testing.T, st *Status, id string) ItemStatus {
	t.Helper()
	it, ok := st.Item(id)
	require.True(t, ok, "item %s not in status", id)
	return it
}
