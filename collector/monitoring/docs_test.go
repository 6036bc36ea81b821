package monitoring

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocExamplesLoad keeps the check examples of docs/monitoring.md valid:
// every YAML block that is a check loads through the real config loader.
func TestDocExamplesLoad(t *testing.T) {
	b, err := os.ReadFile("../../docs/monitoring.md")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	n := 0
	for _, m := range blocks {
		if !strings.HasPrefix(m[1], "- name:") {
			continue
		}
		n++
		yml := "checks:\n" + regexp.MustCompile("(?m)^").ReplaceAllString(m[1], "  ")
		_, err := config.Load([]byte(yml), "docs/monitoring.md")
		assert.NoError(t, err, "%s", m[1])
	}
	assert.Equal(t, 6, n, "one example per kind")
}
