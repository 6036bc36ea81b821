package monitoring

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/require"
)

// answer is what the fake server says on one path.
type answer struct {
	code int
	body string
}

// fakeServer answers fixed bodies per path; unknown paths are 404. It
// records the queries it saw.
func fakeServer(t testing.TB, answers map[string]answer) (*httptest.Server, *[]string) {
	t.Helper()
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path+"?"+r.URL.RawQuery+" auth="+r.Header.Get("Authorization"))
		a, ok := answers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(a.code)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

// loadCheck loads one check from YAML through the real config loader, so
// defaults and validation apply.
func loadCheck(t testing.TB, yml string) *config.Check {
	t.Helper()
	cfg, err := config.Load([]byte(yml), "test.yml")
	require.NoError(t, err)
	require.Len(t, cfg.Checks, 1)
	return cfg.Checks[0]
}

// runCheck builds the check's kind and runs it once.
func runCheck(t *testing.T, c *config.Check, build collector.Factory) (*collector.Report, error) {
	t.Helper()
	chk, err := build(c, collector.Env{})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r := &collector.Report{}
	return r, chk.Run(ctx, r)
}

// failed lists the names of the report's failed conditions.
func failed(r *collector.Report) []string {
	var out []string
	for _, c := range r.Conditions() {
		if !c.OK {
			out = append(out, c.Name)
		}
	}
	return out
}

// value returns the recorded value of a metric with the given label values
// (check label excluded).
func value(t *testing.T, r *collector.Report, name string, labels ...string) float64 {
	t.Helper()
	for _, s := range r.Samples() {
		if !strings.Contains(s.Desc.String(), `"`+name+`"`) {
			continue
		}
		if strings.Join(s.Labels, ",") == strings.Join(labels, ",") {
			return s.Value
		}
	}
	t.Fatalf("no sample %s%v", name, labels)
	return 0
}

// corpus reads a file of the corpus's health/ folder; a missing file fails the test.
func corpus(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.Corpus(t, "health"), name))
	require.NoError(t, err)
	return b
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
