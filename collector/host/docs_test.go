package host

import (
	"reflect"
	"strings"
	"testing"

	_ "github.com/golive/golive_exporter/collector/monitoring" // docs/host.md shows promql checks beside the host kinds
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostKinds are the kinds of this package, from the registry;
// docs/host.md documents each. A function: the registry is filled by the
// package's init, which runs after its variables are set.
func hostKinds() []string { return config.KindsIn(reflect.TypeFor[LogRotationCheck]().PkgPath()) }

// Every YAML example of docs/host.md loads, and there is one for every
// kind of this package.
func TestDocsExamplesLoad(t *testing.T) {
	blocks := testutil.DocYAML(testutil.Doc(t, "host.md"))
	require.NotEmpty(t, blocks)
	kinds := map[string]bool{}
	for _, y := range blocks {
		require.True(t, strings.HasPrefix(y, "- name:"), "docs/host.md has a YAML example that is not a check:\n%s", y)
		cfg, err := config.Load([]byte("checks:\n"+indentLines(y, "  ")), "/etc/golive/golive.yml")
		require.NoError(t, err, "example:\n%s", y)
		for _, c := range cfg.Checks {
			kinds[c.Kind()] = true
		}
	}
	testutil.DocHasEveryKind(t, "host.md", hostKinds(), kinds)
}

// The metrics table of docs/host.md lists exactly the families this
// package declares, with their labels.
func TestDocsMetricsTable(t *testing.T) {
	declared := testutil.DeclaredMetrics(t, ".")
	require.NotEmpty(t, declared)
	assert.Equal(t, declared, testutil.DocMetrics(testutil.Doc(t, "host.md")), "docs/host.md's metrics table (name -> labels besides check) against the NewDesc calls")
}

func indentLines(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}
