package database

import (
	"reflect"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector/cache"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docsKinds are the kinds docs/database.md documents, from the registry:
// this package's and the cache package's. A function: the registry is
// filled by the packages' init, which runs after this package's variables
// are set.
func docsKinds() []string {
	return append(config.KindsIn(reflect.TypeFor[PostgresCheck]().PkgPath()), config.KindsIn(reflect.TypeFor[cache.RedisCheck]().PkgPath())...)
}

// Every YAML example of docs/database.md loads (so the reference cannot
// drift from the schema), and there is one for every kind of the database
// and cache packages.
func TestDocsExamplesLoad(t *testing.T) {
	blocks := testutil.DocYAML(testutil.Doc(t, "database.md"))
	require.NotEmpty(t, blocks)
	const targets = "postgres_targets:\n  app: {dsn: \"postgres://golive_monitor@db:5432/app\"}\nredis_targets:\n  cache: {address: \"redis:6379\"}\n"
	var checks []string
	for _, y := range blocks {
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
	cfg, _, err := checklist.LoadConfig([]byte(targets+"checks:\n"+strings.Join(checks, "\n")+"\n"), "docs.yml")
	require.NoError(t, err)
	kinds := map[string]bool{}
	for _, c := range cfg.Checks {
		kinds[c.Kind()] = true
	}
	require.Contains(t, docsKinds(), "postgres", "the package's kinds, from the registry")
	require.Contains(t, docsKinds(), "redis", "the cache package's kinds, from the registry")
	testutil.DocHasEveryKind(t, "database.md", docsKinds(), kinds)
}

// The metrics table of docs/database.md lists exactly the families the
// database and cache packages declare, with their labels.
func TestDocsMetricsTable(t *testing.T) {
	declared := testutil.DeclaredMetrics(t, ".", "../cache")
	require.NotEmpty(t, declared)
	assert.Equal(t, declared, testutil.DocMetrics(testutil.Doc(t, "database.md")),
		"docs/database.md's metrics table (name -> labels besides check) against the NewDesc calls of collector/database and collector/cache")
}
