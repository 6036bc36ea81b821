package loadtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/config"
)

// TestConfigPathGlobs: the config accepts exactly the globs the result
// finder expands; an unclosed bracket is refused at its line.
func TestConfigPathGlobs(t *testing.T) {
	_, err := config.Load([]byte("checks:\n  - name: t\n    loadtest:\n      paths: ['results/\\[nightly\\]/*.json']\n"), "globs.yml")
	require.NoError(t, err)
	_, err = config.Load([]byte("checks:\n  - name: t\n    loadtest:\n      paths: ['a/[x.json']\n      folder_pattern: '[x'\n"), "globs.yml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `globs.yml:4: checks[0].loadtest.paths[0]: bad glob element "[x.json"`)
	assert.Contains(t, err.Error(), `globs.yml:5: checks[0].loadtest.folder_pattern: bad glob element "[x"`)
}
