// Package testutil finds the team's shared folder (the checklist and the
// corpus of real input files) for tests.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedDir returns the shared/ folder that sits beside the repository (CI
// lays a copy there), found by walking up from the test's working
// directory; GOLIVE_SHARED overrides it. The test fails when it is missing:
// the corpus must be read, not skipped.
func SharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("GOLIVE_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	for {
		cand := filepath.Join(dir, "shared")
		if st, err := os.Stat(filepath.Join(cand, "corpus")); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	t.Fatalf("shared/ (with corpus/) not found beside the repository; set GOLIVE_SHARED to its path")
	return ""
}

// Corpus returns shared/corpus/<sub>.
func Corpus(t testing.TB, sub string) string {
	return filepath.Join(SharedDir(t), "corpus", sub)
}

// ChecklistTSV returns the path of shared/golive/checklist-items.tsv.
func ChecklistTSV(t testing.TB) string {
	return filepath.Join(SharedDir(t), "golive", "checklist-items.tsv")
}
