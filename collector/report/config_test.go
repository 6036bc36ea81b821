package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/config"
)

// TestReportPathGlobs: the config accepts exactly the globs the report
// file finder expands; an escaped bracket (a folder named [nightly]) is a
// valid pattern, an unclosed one is not.
func TestReportPathGlobs(t *testing.T) {
	_, err := config.Load([]byte("checks:\n  - name: t\n    junit:\n      paths: ['reports/\\[nightly\\]/*.xml', 'reports/**/TEST-*.xml']\n      folder_pattern: 'TEST-\\[a\\]*.xml'\n"), "globs.yml")
	require.NoError(t, err)
	_, err = config.Load([]byte("checks:\n  - name: t\n    junit:\n      paths: ['a/[x.xml']\n      folder_pattern: '[x'\n"), "globs.yml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `globs.yml:4: checks[0].junit.paths[0]: bad glob element "[x.xml"`)
	assert.Contains(t, err.Error(), `globs.yml:5: checks[0].junit.folder_pattern: bad glob element "[x"`)
}
