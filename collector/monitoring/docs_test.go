package monitoring

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
)

// TestDocExamplesLoad keeps the check examples of docs/monitoring.md valid:
// every YAML block that is a check loads through the real config loader,
// and every kind of this package has one.
func TestDocExamplesLoad(t *testing.T) {
	kinds := map[string]bool{}
	for _, y := range testutil.DocYAML(testutil.Doc(t, "monitoring.md")) {
		if !strings.HasPrefix(y, "- name:") {
			continue
		}
		yml := "checks:\n" + regexp.MustCompile("(?m)^").ReplaceAllString(y, "  ")
		cfg, err := config.Load([]byte(yml), "docs/monitoring.md")
		if assert.NoError(t, err, "%s", y) {
			for _, c := range cfg.Checks {
				kinds[c.Kind()] = true
			}
		}
	}
	testutil.DocHasEveryKind(t, "monitoring.md", config.KindsIn(reflect.TypeFor[PromQLCheck]().PkgPath()), kinds)
}
