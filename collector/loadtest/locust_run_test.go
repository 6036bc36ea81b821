package loadtest

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readCSV reads a whole CSV file for the test's own look at the figures.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, rows, path)
	return rows
}

// column returns the value of column name in row, by the header.
func column(t *testing.T, header, row []string, name string) string {
	t.Helper()
	for i, h := range header {
		if h == name {
			return row[i]
		}
	}
	t.Fatalf("no column %q in %v", name, header)
	return ""
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err, s)
	return v
}

// TestLocustRealRun runs Locust (--headless --csv) against a server of the
// test, where /dashboard answers 200 and /missing 404, and reads the files
// it writes. A real run's latencies vary, so the figures are checked
// against the files as the test reads them itself and against what the
// run must give: every /missing request failed and none other did, the
// peak user count is the -u given.
func TestLocustRealRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs locust")
	}
	locust := testutil.Tool(t, "locust")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/dashboard" {
			fmt.Fprint(w, "ok")
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "locustfile.py"), []byte(`from locust import HttpUser, task, constant

class Student(HttpUser):
    wait_time = constant(0.05)

    # Every user asks both once, so both rows exist however few requests a
    # busy machine lets the run make.
    def on_start(self):
        self.client.get("/dashboard")
        self.client.get("/missing")

    @task(9)
    def dashboard(self):
        self.client.get("/dashboard")

    @task(1)
    def missing(self):
        self.client.get("/missing")
`), 0o644))
	cmd := exec.Command(locust, "-f", "locustfile.py", "--headless", "-u", "5", "-r", "5", "-t", "3s",
		"--host", srv.URL, "--csv", "run", "--loglevel", "WARNING")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Logf("locust: %v\n%s", err, out) // exits 1: /missing fails
	}

	// The figures as the test reads them from the files.
	stats := readCSV(t, filepath.Join(dir, "run_stats.csv"))
	byName := map[string][]string{}
	for _, row := range stats[1:] {
		byName[column(t, stats[0], row, "Name")] = row
	}
	agg, dash, miss := byName["Aggregated"], byName["/dashboard"], byName["/missing"]
	require.NotNil(t, agg, "an Aggregated row")
	require.NotNil(t, dash)
	require.NotNil(t, miss)
	requests := num(t, column(t, stats[0], agg, "Request Count"))
	require.Positive(t, requests)
	assert.Equal(t, requests, num(t, column(t, stats[0], dash, "Request Count"))+num(t, column(t, stats[0], miss, "Request Count")))
	assert.Equal(t, 0.0, num(t, column(t, stats[0], dash, "Failure Count")))
	missRequests := num(t, column(t, stats[0], miss, "Request Count"))
	occurrences := 0.0
	failures := readCSV(t, filepath.Join(dir, "run_failures.csv"))
	for _, row := range failures[1:] {
		occurrences += num(t, column(t, failures[0], row, "Occurrences"))
	}
	assert.Equal(t, missRequests, occurrences, "every /missing request failed")
	history := readCSV(t, filepath.Join(dir, "run_stats_history.csv"))
	peak, first, last := 0.0, 0.0, 0.0
	for i, row := range history[1:] {
		ts := num(t, column(t, history[0], row, "Timestamp"))
		if i == 0 {
			first = ts
		}
		last = max(last, ts)
		peak = max(peak, num(t, column(t, history[0], row, "User Count")))
	}

	// The parts of the run, read and merged as the check does.
	var parts []*Result
	for _, name := range []string{"run_stats.csv", "run_stats_history.csv", "run_failures.csv", "run_exceptions.csv"} {
		r, err := parseFile(t, filepath.Join(dir, name), Options{})
		require.NoError(t, err, name)
		assert.Equal(t, "locust", r.Format)
		parts = append(parts, r)
	}
	res := mergeLocust(parts)
	assert.Equal(t, requests, res.Requests.V)
	assert.Equal(t, missRequests, res.Failed.V)
	assert.InDelta(t, missRequests/requests, res.ErrorRatio.V, 1e-12)
	assert.Equal(t, num(t, column(t, stats[0], agg, "95%"))/1000, res.Latency[P95].V)
	assert.Equal(t, num(t, column(t, stats[0], agg, "50%"))/1000, res.Latency[P50].V)
	assert.Equal(t, num(t, column(t, stats[0], agg, "Max Response Time"))/1000, res.Latency[Max].V)
	assert.Equal(t, num(t, column(t, stats[0], agg, "Requests/s")), res.RPS.V)
	assert.Equal(t, peak, res.VUs.V)
	assert.True(t, time.Unix(int64(last), 0).Equal(res.Time), "the last history row's time")
	if len(history) > 2 {
		assert.Equal(t, last-first, res.Duration.V)
		assert.False(t, res.DurationDerived)
	} else {
		// Some Locust builds write only the first history row: the
		// duration then comes from the requests and their rate.
		assert.InDelta(t, requests/res.RPS.V, res.Duration.V, 1e-9)
		assert.True(t, res.DurationDerived)
	}
	if strings.Contains(string(out), "Traceback") {
		t.Logf("locust printed a traceback:\n%s", out)
	}
}
