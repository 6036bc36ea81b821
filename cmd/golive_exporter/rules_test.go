package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRulesCommand: `golive_exporter rules` writes the alerting bundle with
// the user's runbook base and board URL, as files or as a PrometheusRule.
func TestRulesCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := run([]string{"rules", "--output-dir", dir, "--runbook-url-base", "https://wiki.example.org/golive/", "--board-url", "https://golive.example.org/"}, &out, &errOut)
	require.Equal(t, exitOK, code, errOut.String())
	for _, name := range rules.FileNames() {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Contains(t, string(b), "board_url: https://golive.example.org/", name)
		assert.NotContains(t, string(b), rules.DefaultRunbookBase, name)
	}
	assert.Contains(t, out.String(), "wrote")

	out.Reset()
	code = run([]string{"rules", "--prometheus-rule", "--board-url", "https://golive.example.org/"}, &out, &errOut)
	require.Equal(t, exitOK, code, errOut.String())
	assert.True(t, strings.Contains(out.String(), "kind: PrometheusRule"))
	assert.Contains(t, out.String(), "board_url: https://golive.example.org/")

	errOut.Reset()
	code = run([]string{"rules", "--prometheus-rule", "--board-url", "golive.example.org"}, &out, &errOut)
	assert.Equal(t, exitConfigError, code)
	assert.Contains(t, errOut.String(), "not an absolute http(s) URL")

	errOut.Reset()
	code = run([]string{"rules"}, &out, &errOut)
	assert.Equal(t, exitConfigError, code)
	assert.Contains(t, errOut.String(), "--output-dir")
}
