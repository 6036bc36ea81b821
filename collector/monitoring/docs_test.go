package monitoring

import (
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
)

// TestDocExamplesLoad keeps the check examples of docs/monitoring.md valid:
// every YAML block that is a check loads through the real config loader.
func TestDocExamplesLoad(t *testing.T) {
	n := 0
	for _, y := range testutil.DocYAML(testutil.Doc(t, "monitoring.md")) {
		if !strings.HasPrefix(y, "- name:") {
			continue
		}
		n++
		yml := "checks:\n" + regexp.MustCompile("(?m)^").ReplaceAllString(y, "  ")
		_, err := config.Load([]byte(yml), "docs/monitoring.md")
		assert.NoError(t, err, "%s", y)
	}
	assert.Equal(t, 6, n, "one example per kind")
}
