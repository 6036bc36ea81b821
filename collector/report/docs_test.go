package report

import (
	"reflect"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every configuration example of docs/reports-tests.md loads, and there is
// one of each kind of this package.
func TestDocsExamplesLoad(t *testing.T) {
	blocks := testutil.DocYAML(testutil.Doc(t, "reports-tests.md"))
	require.NotEmpty(t, blocks)
	kinds := map[string]bool{}
	for _, y := range blocks {
		if !strings.HasPrefix(y, "checks:") {
			require.True(t, strings.HasPrefix(y, "  - name:"), "docs/reports-tests.md has a YAML example that is neither a configuration nor checks:\n%s", y)
			y = "checks:\n" + y
		}
		cfg, err := config.Load([]byte(y), "/etc/golive/golive.yml")
		require.NoError(t, err, "example:\n%s", y)
		for _, c := range cfg.Checks {
			kinds[c.Kind()] = true
		}
	}
	testutil.DocHasEveryKind(t, "reports-tests.md", config.KindsIn(reflect.TypeFor[JUnitCheck]().PkgPath()), kinds)
}

// The metrics table of docs/reports-tests.md lists exactly the families
// this package declares, with their labels.
func TestDocsMetricsTable(t *testing.T) {
	declared := testutil.DeclaredMetrics(t, ".")
	require.NotEmpty(t, declared)
	assert.Equal(t, declared, testutil.DocMetrics(testutil.Doc(t, "reports-tests.md")), "docs/reports-tests.md's metrics table (name -> labels besides check) against the NewDesc calls")
}
