package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/internal/testutil"
)

// Under systemd (StateDirectory=golive) the board keeps its history in
// the state directory by default; elsewhere it keeps it in memory unless
// --board.history-file says where.
func TestDefaultHistoryFile(t *testing.T) {
	for env, want := range map[string]string{
		"/var/lib/golive":        "/var/lib/golive/board-history.json",
		"/var/lib/golive:/var/x": "/var/lib/golive/board-history.json",
		"":                       "",
	} {
		t.Setenv("STATE_DIRECTORY", env)
		assert.Equal(t, want, defaultHistoryFile(), env)
	}
}

// The served board keeps its history in --board.history-file across a
// restart; a Prometheus that cannot be reached only costs a warning.
func TestServeKeepsBoardHistory(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cfg.yml")
	require.NoError(t, os.WriteFile(file, []byte("checks: [{name: first_port, tcp: {address: \"127.0.0.1:1\", expect: closed}}]\n"), 0o600))
	hist := filepath.Join(dir, "board-history.json")
	args := []string{"--config.file", file, "--board.history-file", hist, "--board.history-prometheus-url", "http://" + testutil.FreeAddr(t)}
	status := func(e *exporter) checklist.Status {
		var st checklist.Status
		require.NoError(t, json.Unmarshal([]byte(e.get(t, "/api/v1/status")), &st))
		return st
	}

	e := startExporter(t, args...)
	first := status(e)
	require.NotNil(t, first.History, "the verdict is recorded")
	assert.Contains(t, e.logs.String(), "board history not taken from Prometheus; it starts now")
	e.stop(t)
	require.FileExists(t, hist)

	e = startExporter(t, args...)
	again := status(e)
	require.NotNil(t, again.History)
	assert.Equal(t, first.History.Start, again.History.Start, "the history read back, not begun again")
	assert.Equal(t, first.History.Changes, again.History.Changes)
	e.stop(t)
}
