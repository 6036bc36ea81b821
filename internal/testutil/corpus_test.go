package testutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// provenanceRowRE is a row of a PROVENANCE.md table: its first cell, the
// file name or names (comma-separated).
var provenanceRowRE = regexp.MustCompile(`(?m)^\| ([a-z0-9][^|]*?) \|`)

// Every corpus file has a row in testdata/PROVENANCE.md naming its origin
// and licence, and every row names a file that is here: a file copied in
// without saying where it came from, or a row left behind, fails.
func TestCorpusProvenance(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "PROVENANCE.md"))
	require.NoError(t, err)
	var listed []string
	for _, m := range provenanceRowRE.FindAllStringSubmatch(string(raw), -1) {
		if m[1] == "file" {
			continue
		}
		for _, name := range strings.Split(m[1], ",") {
			listed = append(listed, strings.TrimSpace(name))
		}
	}
	var present []string
	require.NoError(t, filepath.WalkDir(Corpus(t, ""), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			present = append(present, d.Name())
		}
		return err
	}))
	sort.Strings(listed)
	sort.Strings(present)
	require.NotEmpty(t, present)
	assert.Equal(t, present, listed, "testdata/PROVENANCE.md must have one row per corpus file")
	// Every row has a licence cell, the one before the last.
	for _, line := range strings.Split(string(raw), "\n") {
		if !provenanceRowRE.MatchString(line) || strings.HasPrefix(line, "| file ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		require.GreaterOrEqual(t, len(cells), 4, line)
		assert.NotEmpty(t, strings.TrimSpace(cells[len(cells)-2]), "licence of %s", cells[0])
	}
}
