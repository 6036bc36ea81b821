package network

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// networkKinds are the kinds of this package, from the registry;
// docs/network.md documents each. A function: the registry is filled by
// the package's init, which runs after its variables are set.
func networkKinds() []string { return config.KindsIn(reflect.TypeFor[HTTPCheck]().PkgPath()) }

// Every YAML example of docs/network.md loads, and there is one for every
// kind of this package: the configuration reference cannot drift from the
// schema.
func TestDocsExamplesLoad(t *testing.T) {
	blocks := testutil.DocYAML(testutil.Doc(t, "network.md"))
	require.NotEmpty(t, blocks)
	kinds := map[string]bool{}
	for _, y := range blocks {
		var file string
		switch {
		case strings.HasPrefix(y, "- name:"):
			file = "checks:\n" + indent(y, "  ")
		case strings.HasPrefix(y, "health:"), strings.HasPrefix(y, "security_headers:"):
			// A fragment of an http check.
			file = "checks:\n  - name: fragment\n    http:\n      url: https://api.example.com/health\n" + indent(y, "      ")
		default:
			t.Fatalf("docs/network.md has a YAML example this test does not know how to load:\n%s", y)
		}
		cfg, err := config.Load([]byte(file), "network.md.yml")
		require.NoError(t, err, "example:\n%s", y)
		for _, c := range cfg.Checks {
			kinds[c.Kind()] = true
		}
	}
	testutil.DocHasEveryKind(t, "network.md", networkKinds(), kinds)
}

// docTypeRE is a row of the metrics table: name and type.
var docTypeRE = regexp.MustCompile("(?m)^\\| `(golive_[a-z0-9_]+)` \\| (\\w+) \\|")

// The metrics table of docs/network.md lists exactly the families this
// package declares, with their labels (read from the NewDesc calls), and
// every one is a gauge.
func TestDocsMetricsTable(t *testing.T) {
	declared := testutil.DeclaredMetrics(t, ".")
	require.NotEmpty(t, declared)
	doc := testutil.Doc(t, "network.md")
	for _, m := range docTypeRE.FindAllStringSubmatch(doc, -1) {
		assert.Equal(t, "gauge", m[2], m[1])
	}
	assert.Equal(t, declared, testutil.DocMetrics(doc), "docs/network.md's metrics table (name -> labels besides check) against the NewDesc calls")
}
