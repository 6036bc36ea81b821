package main

import (
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/golive/golive_exporter/web"
	"github.com/golive/golive_exporter/web/board"
	"github.com/prometheus/common/promslog"
)

// BenchmarkScrapeHTTPChecks prices one /metrics request of the whole
// exporter, in process (the handler, the scheduler, the checklist series,
// the Go and process collectors), with n http checks against a loopback
// target that answers at once: the fixed cost of a scrape shows at 10
// checks, the cost per probe at 100. scripts/bench.d/compare.sh measures
// the same against blackbox_exporter with the real binary.
func BenchmarkScrapeHTTPChecks(b *testing.B) {
	answer := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"healthy"}`+"\n")
	})
	plain := httptest.NewServer(answer)
	defer plain.Close()
	tlsTarget := httptest.NewTLSServer(answer)
	defer tlsTarget.Close()
	caFile := filepath.Join(b.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsTarget.Certificate().Raw}), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		scheme   string
		n        int
		interval string
	}{{"http", 10, "0s"}, {"http", 100, "0s"}, {"http", 10, "1h"}, {"https", 10, "0s"}} {
		n := bc.n
		name := fmt.Sprintf("%s/checks=%d", bc.scheme, n)
		if bc.interval != "0s" {
			// Every result within its interval: nothing runs, the fixed
			// cost of a scrape alone.
			name += "/cached"
		}
		target, client := plain.URL, ""
		if bc.scheme == "https" {
			target, client = tlsTarget.URL, fmt.Sprintf("\n      tls_config: {ca_file: %q}", caFile)
		}
		b.Run(name, func(b *testing.B) {
			var cfg strings.Builder
			fmt.Fprintf(&cfg, "global:\n  max_concurrency: %d\nchecks:\n", n)
			for i := 0; i < n; i++ {
				fmt.Fprintf(&cfg, "  - name: c%d\n    interval: %s\n    http:\n      url: %q%s\n", i, bc.interval, fmt.Sprintf("%s/health?c=%d", target, i), client)
			}
			file := filepath.Join(b.TempDir(), "golive.yml")
			if err := os.WriteFile(file, []byte(cfg.String()), 0o600); err != nil {
				b.Fatal(err)
			}
			logger := promslog.NewNopLogger()
			history, err := board.OpenHistory("", logger, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			srv, err := web.NewServer(web.Options{
				Logger: logger,
				// The board's history in memory, as the binary keeps it:
				// each scrape's evaluation is recorded into it.
				Load: loadRuntime(func() (*config.Config, *checklist.Model, error) { return checklist.LoadConfigFile(file) },
					logger, board.Options{MetricsPath: "/metrics", History: history}),
				Registry: newRegistry(),
			})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			h := srv.Handler()
			scrape := func() {
				req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
				req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "10")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), "} 1\n") < n {
					b.Fatalf("scrape: %d\n%s", rec.Code, rec.Body.String())
				}
			}
			scrape()
			b.ReportAllocs()
			cpu0 := testutil.CPUTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				scrape()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/probe")
			// CPU time (the process's, the target's too): unlike the
			// wall time it holds on a loaded machine.
			b.ReportMetric(float64((testutil.CPUTime()-cpu0).Microseconds())/float64(b.N), "cpu-us/scrape")
		})
	}
}
