// Package testutil holds helpers shared by the tests: real servers and
// tools, certificates, ports, the docs, and the corpus of real input files
// (testdata/corpus, origins and licences in testdata/PROVENANCE.md).
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the repository's top folder, found by walking up from the
// test's working directory (go test runs in the package's folder) to go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the working directory %s", dir)
		}
		dir = parent
	}
}

// Corpus returns internal/testutil/testdata/corpus/<sub> of the repository:
// the real input files (test reports, load-test results, backup-tool
// output, health answers, certificates) every parser must read. One copy
// serves every package's tests. A missing folder fails the test: the corpus
// must be read, not skipped.
func Corpus(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), "internal", "testutil", "testdata", "corpus", sub)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("corpus folder %s is missing from the repository", dir)
	}
	return dir
}

// ChecklistTSV returns the path of the repository's shipped checklist,
// checklist/default-checklist.tsv (the file the binary embeds).
func ChecklistTSV(t testing.TB) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "checklist", "default-checklist.tsv")
}
