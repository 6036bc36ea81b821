package loadtest

import (
	"reflect"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every configuration example of docs/loadtest.md loads, and there is one
// of each kind of this package: the page cannot drift from the schema.
func TestDocsExamplesLoad(t *testing.T) {
	blocks := testutil.DocYAML(testutil.Doc(t, "loadtest.md"))
	require.NotEmpty(t, blocks)
	kinds := map[string]bool{}
	for _, y := range blocks {
		cfg, err := config.Load([]byte(y), "/etc/golive/golive.yml")
		require.NoError(t, err, "example:\n%s", y)
		for _, c := range cfg.Checks {
			kinds[c.Kind()] = true
		}
	}
	testutil.DocHasEveryKind(t, "loadtest.md", config.KindsIn(reflect.TypeFor[LoadTestCheck]().PkgPath()), kinds)
}

// The metrics table of docs/loadtest.md lists exactly the families this
// package declares, with their labels.
func TestDocsMetricsTable(t *testing.T) {
	declared := testutil.DeclaredMetrics(t, ".")
	require.NotEmpty(t, declared)
	assert.Equal(t, declared, testutil.DocMetrics(testutil.Doc(t, "loadtest.md")), "docs/loadtest.md's metrics table (name -> labels besides check) against the NewDesc calls")
}
