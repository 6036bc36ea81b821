package database

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/require"
)

// Every YAML example of docs/database.md loads (so the reference cannot
// drift from the schema).
func TestDocsExamplesLoad(t *testing.T) {
	raw, err := os.ReadFile("../../docs/database.md")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(raw), -1)
	require.NotEmpty(t, blocks)
	const targets = "postgres_targets:\n  app: {dsn: \"postgres://golive_monitor@db:5432/app\"}\nredis_targets:\n  cache: {address: \"redis:6379\"}\n"
	var checks []string
	for _, b := range blocks {
		y := b[1]
		switch {
		case strings.HasPrefix(y, "postgres_targets:"):
			// The targets example: give it a check so that it is a config.
			_, err := config.Load([]byte(y+"checks:\n  - {name: x, postgres: {target: app}}\n"), "docs.yml")
			require.NoError(t, err, y)
		case strings.HasPrefix(y, "- name:"):
			checks = append(checks, "  "+strings.ReplaceAll(strings.TrimRight(y, "\n"), "\n", "\n  "))
		}
	}
	require.NotEmpty(t, checks)
	_, err = config.Load([]byte(targets+"checks:\n"+strings.Join(checks, "\n")+"\n"), "docs.yml")
	require.NoError(t, err)
}
