package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Accept headers of Prometheus' scrapes: Prometheus 3's default
// scrape_protocols (its scrape tests' "default scrape protocols with no
// escaping"; allow-utf-8 is its default) and Prometheus 2's.
const (
	prometheus3Accept = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
	prometheus2Accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
)

// TestServeLinesAsPromhttp: a scrape served from the lines the runs wrote
// (serveLines) is what promhttp's handler, as serveMetrics configures it
// (openMetricsGatherer for OpenMetrics), serves for the same families, in
// the text format (no Accept header) and in OpenMetrics (the Accept of
// Prometheus 3 and of Prometheus 2): status, headers, bytes (gunzipped
// when gzipped: the level differs, see gzipLevel; filtered by name[] or
// not), # EOF, and the errors it logs, including a gathering error with
// families and one without. The checks' families have gauges, a counter,
// a histogram, label values to escape and values to spell (NaN, -Inf,
// 1e21), several series each.
func TestServeLinesAsPromhttp(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, `
checks:
  - name: refused_db
    items: [P3.1.02]
    tcp: {address: "127.0.0.1:1"}
  - name: badlabels_kind
    tcp: {address: "127.0.0.1:1"}
  - name: not_compiled
    not_linked: {target: main}
  - name: a_second
    tcp: {address: "127.0.0.1:1"}
  - name: mixed_one
    tcp: {address: "127.0.0.1:1"}
  - name: mixed_two
    tcp: {address: "127.0.0.1:1"}
`)
	cfg, err := config.LoadFile(file)
	require.NoError(t, err)
	rt, err := build(cfg)
	require.NoError(t, err)
	t.Cleanup(rt.Scheduler.Close)
	// A first scrape in each format: from then on each run writes its
	// lines in both.
	first := rt.Scheduler.Collector(context.Background())
	_, _ = first.Gather()
	for _, format := range []expfmt.Format{expfmt.NewFormat(expfmt.TypeTextPlain), expfmt.NewFormat(expfmt.TypeOpenMetrics)} {
		_, _ = first.WriteLines(io.Discard, &dto.MetricFamily{}, format)
	}
	rc := rt.Scheduler.Collector(context.Background())
	checks, gerr := rc.Gather()
	require.Error(t, gerr, "badlabels_kind's sample is refused")
	own := prometheus.NewRegistry()
	// The Go collector has go_memstats_alloc_bytes and its _total twin,
	// which openMetricsGatherer leaves out of OpenMetrics.
	own.MustRegister(collectors.NewGoCollector())
	ownFams, err := own.Gather()
	require.NoError(t, err)
	all, err := collector.MergeGathered(ownFams, checks)
	require.NoError(t, err)

	// A slice of its own for each Gather, as serveMetrics' gatherer
	// returns: openMetricsGatherer filters it in place.
	gatherers := map[string]prometheus.Gatherer{
		"families and an error": prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return slices.Clone(all), gerr }),
		"families":              prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return slices.Clone(all), nil }),
		"an error only":         prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return nil, errors.New("all gone") }),
	}
	accepts := map[string]string{"text": "", "Prometheus 3": prometheus3Accept, "Prometheus 2": prometheus2Accept}
	for name, g := range gatherers {
		for scraper, accept := range accepts {
			for _, target := range []string{"/metrics", "/metrics?name[]=golive_check_success&name[]=go_goroutines&name[]=golive_test_events_total&name[]=golive_test_latency_seconds"} {
				for _, ae := range []string{"", "gzip", "identity"} {
					t.Run(name+" "+scraper+" "+target+" "+ae, func(t *testing.T) {
						req := httptest.NewRequest(http.MethodGet, target, nil)
						if accept != "" {
							req.Header.Set("Accept", accept)
						}
						if ae != "" {
							req.Header.Set("Accept-Encoding", ae)
						}
						format := expfmt.NegotiateAccept(req.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...)
						if accept != "" {
							require.Equal(t, expfmt.TypeOpenMetrics, format.FormatType(), "Prometheus asks for OpenMetrics first")
						}
						encoding, ok := linesEncoding(req, format)
						require.True(t, ok)
						g := g
						if format.FormatType() == expfmt.TypeOpenMetrics {
							g = openMetricsGatherer{g}
						}

						var wantLog, gotLog bytes.Buffer
						want := httptest.NewRecorder()
						promhttp.HandlerFor(g, promhttp.HandlerOpts{
							ErrorHandling:     promhttp.ContinueOnError,
							ErrorLog:          slogErrorLog{slog.New(slog.NewTextHandler(&wantLog, &slog.HandlerOptions{ReplaceAttr: noTime}))},
							EnableOpenMetrics: true,
						}).ServeHTTP(want, req)
						got := httptest.NewRecorder()
						serveLines(got, req, g, rc, format, encoding, slogErrorLog{slog.New(slog.NewTextHandler(&gotLog, &slog.HandlerOptions{ReplaceAttr: noTime}))})

						assert.Equal(t, want.Code, got.Code)
						assert.Equal(t, want.Header(), got.Header())
						assert.Equal(t, wantLog.String(), gotLog.String())
						assert.Equal(t, body(t, want), body(t, got))
						if ae == "" {
							assert.Equal(t, want.Body.Bytes(), got.Body.Bytes(), "same bytes on the wire")
						}
						if want.Code == http.StatusOK && format.FormatType() == expfmt.TypeOpenMetrics {
							assert.True(t, strings.HasSuffix(body(t, got), "\n# EOF\n"), "OpenMetrics ends in # EOF")
						}
					})
				}
			}
		}
	}
	// The fixture exercises the lines: most families come from them, in
	// both formats, the counter and the histogram too, each family with
	// more than one series.
	for _, format := range []expfmt.Format{expfmt.NewFormat(expfmt.TypeTextPlain), expfmt.NewFormat(expfmt.TypeOpenMetrics)} {
		var b bytes.Buffer
		written := map[string]int{}
		for _, mf := range all {
			if ok, err := rc.WriteLines(&b, mf, format); ok {
				require.NoError(t, err)
				written[mf.GetName()] = len(mf.Metric)
			}
		}
		assert.GreaterOrEqual(t, len(written), 7, format)
		for _, name := range []string{"golive_check_success", "golive_test_detail", "golive_test_events_total", "golive_test_latency_seconds"} {
			assert.Greater(t, written[name], 1, "%s in %s", name, format)
		}
	}
}

func noTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// body is a recorded response's body, gunzipped when it is gzipped.
func body(t *testing.T, r *httptest.ResponseRecorder) string {
	t.Helper()
	if r.Header().Get("Content-Encoding") != "gzip" {
		return r.Body.String()
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.Body.Bytes()))
	require.NoError(t, err)
	b, err := io.ReadAll(zr)
	require.NoError(t, err)
	return string(b)
}

// TestLinesEncoding: only the text format and OpenMetrics 1.0.0 and 0.0.1
// (Prometheus' first choice) with no Accept-Encoding or just gzip are
// served by serveLines; protobuf, OpenMetrics 2.0 (which the negotiation
// never answers: it falls back to the text format) and any other
// encoding negotiation stay promhttp's.
func TestLinesEncoding(t *testing.T) {
	for _, c := range []struct {
		accept, encoding string
		want             string
		ok               bool
	}{
		{"", "", "identity", true},
		{"", "gzip", "gzip", true},
		{"text/plain;version=0.0.4", "gzip", "gzip", true},
		{"", "gzip, deflate", "", false},
		{"", "identity", "identity", true},
		{prometheus3Accept, "identity", "identity", true},
		{"", "zstd", "", false},
		{"application/openmetrics-text;version=1.0.0", "gzip", "gzip", true},
		{"application/openmetrics-text;version=0.0.1", "", "identity", true},
		{prometheus3Accept, "gzip", "gzip", true},
		{prometheus2Accept, "gzip", "gzip", true},
		{prometheus3Accept, "zstd", "", false},
		{"application/openmetrics-text;version=2.0.0", "gzip", "gzip", true},
		{"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "", "", false},
		{"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7," + prometheus3Accept, "gzip", "", false},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		if c.encoding != "" {
			req.Header.Set("Accept-Encoding", c.encoding)
		}
		format := expfmt.NegotiateAccept(req.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...)
		if strings.Contains(c.accept, "version=2.0.0") {
			assert.Equal(t, expfmt.TypeTextPlain, format.FormatType(), "OpenMetrics 2.0 is not negotiated")
		}
		got, ok := linesEncoding(req, format)
		assert.Equal(t, c.ok, ok, "%+v", c)
		assert.Equal(t, c.want, got, "%+v", c)
	}
}
