package backup

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every configuration example in docs/backup.md loads.
func TestDocsExamplesLoad(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "backup.md"))
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	require.GreaterOrEqual(t, len(blocks), 5)
	for _, b := range blocks {
		y := b[1]
		if !strings.HasPrefix(y, "checks:") {
			y = "checks:\n" + y
		}
		// The examples name a postgres target "main".
		y = "postgres_targets:\n  main:\n    dsn: postgres://golive_monitor@prod-db:5432/sms\n" + y
		_, err := config.Load([]byte(y), "/etc/golive/golive.yml")
		assert.NoError(t, err, y)
	}
}
