package files

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// WriteAtomic replaces the file whole and leaves no temporary file; a
// missing folder is an error that says what to do.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	require.NoError(t, WriteAtomic(path, []byte("first, and longer")))
	require.NoError(t, WriteAtomic(path, []byte("second")))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "second", string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "state.json", entries[0].Name())

	err = WriteAtomic(filepath.Join(dir, "missing", "state.json"), []byte("x"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "create the folder, writable by the exporter")
}
