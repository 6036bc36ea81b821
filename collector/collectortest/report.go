package collectortest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// RunCheck runs one check directly, without the scheduler, and returns what
// it reported.
func RunCheck(t testing.TB, c collector.Check) (*collector.Report, error) {
	t.Helper()
	r := &collector.Report{}
	err := c.Run(context.Background(), r)
	return r, err
}

// SampleValue returns the value of the sample of desc with exactly the given
// label values; the test fails when there is none.
func SampleValue(t testing.TB, r *collector.Report, desc *prometheus.Desc, labels ...string) float64 {
	t.Helper()
	for _, s := range r.Samples() {
		if s.Desc == desc && slices.Equal(s.Labels, labels) {
			return s.Value
		}
	}
	t.Fatalf("no sample %s %v", desc, labels)
	return 0
}

// Condition returns the report's condition of that name; the test fails when
// there is none.
func Condition(t testing.TB, r *collector.Report, name string) collector.Condition {
	t.Helper()
	for _, c := range r.Conditions() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no condition %q in %+v", name, r.Conditions())
	return collector.Condition{}
}

// HasSample reports whether r has a sample of desc with exactly the given
// label values, or, with none given, any sample of desc.
func HasSample(r *collector.Report, desc *prometheus.Desc, labels ...string) bool {
	for _, s := range r.Samples() {
		if s.Desc == desc && (len(labels) == 0 || slices.Equal(s.Labels, labels)) {
			return true
		}
	}
	return false
}

// CopyFiles copies files of src into a fresh folder and returns it; each
// is renamed to its value in files (an empty value keeps the name).
func CopyFiles(t testing.TB, src string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for from, to := range files {
		if to == "" {
			to = from
		}
		b, err := os.ReadFile(filepath.Join(src, from))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, to), b, 0o644))
	}
	return dir
}
