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

// TestServeTextAsPromhttp: a text scrape served from the lines the runs
// wrote (serveText) is what promhttp's handler, as serveMetrics
// configures it, serves for the same families: status, headers, bytes
// (gunzipped when gzipped: the level differs, see textGzipLevel; filtered
// by name[] or not) and the errors it logs,
// including a gathering error with families and one without.
func TestServeTextAsPromhttp(t *testing.T) {
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
`)
	cfg, err := config.LoadFile(file)
	require.NoError(t, err)
	rt, err := build(cfg)
	require.NoError(t, err)
	t.Cleanup(rt.Scheduler.Close)
	// A first text scrape: from then on each run writes its lines.
	first := rt.Scheduler.Collector(context.Background())
	_, _ = first.Gather()
	_, _ = first.WriteText(io.Discard, &dto.MetricFamily{})
	rc := rt.Scheduler.Collector(context.Background())
	checks, gerr := rc.Gather()
	require.Error(t, gerr, "badlabels_kind's sample is refused")
	own := prometheus.NewRegistry()
	own.MustRegister(collectors.NewGoCollector())
	ownFams, err := own.Gather()
	require.NoError(t, err)
	all, err := collector.MergeGathered(ownFams, checks)
	require.NoError(t, err)

	gatherers := map[string]prometheus.Gatherer{
		"families and an error": prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return all, gerr }),
		"families":              prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return all, nil }),
		"an error only":         prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return nil, errors.New("all gone") }),
	}
	for name, g := range gatherers {
		for _, target := range []string{"/metrics", "/metrics?name[]=golive_check_success&name[]=go_goroutines"} {
			for _, ae := range []string{"", "gzip"} {
				t.Run(name+" "+target+" "+ae, func(t *testing.T) {
					req := httptest.NewRequest(http.MethodGet, target, nil)
					if ae != "" {
						req.Header.Set("Accept-Encoding", ae)
					}
					format := expfmt.NegotiateAccept(req.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...)
					encoding, ok := textEncoding(req, format)
					require.True(t, ok)

					var wantLog, gotLog bytes.Buffer
					want := httptest.NewRecorder()
					promhttp.HandlerFor(g, promhttp.HandlerOpts{
						ErrorHandling:     promhttp.ContinueOnError,
						ErrorLog:          slogErrorLog{slog.New(slog.NewTextHandler(&wantLog, &slog.HandlerOptions{ReplaceAttr: noTime}))},
						EnableOpenMetrics: true,
					}).ServeHTTP(want, req)
					got := httptest.NewRecorder()
					serveText(got, req, g, rc, format, encoding, slogErrorLog{slog.New(slog.NewTextHandler(&gotLog, &slog.HandlerOptions{ReplaceAttr: noTime}))})

					assert.Equal(t, want.Code, got.Code)
					assert.Equal(t, want.Header(), got.Header())
					assert.Equal(t, wantLog.String(), gotLog.String())
					assert.Equal(t, body(t, want), body(t, got))
					if ae == "" {
						assert.Equal(t, want.Body.Bytes(), got.Body.Bytes(), "same bytes on the wire")
					}
				})
			}
		}
	}
	// The fixture exercises the lines: most families come from them.
	var b bytes.Buffer
	written := 0
	for _, mf := range all {
		if ok, err := rc.WriteText(&b, mf); ok {
			require.NoError(t, err)
			written++
		}
	}
	assert.GreaterOrEqual(t, written, 5)
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

// TestTextEncoding: only the text format with no Accept-Encoding or just
// gzip is served by serveText; OpenMetrics, protobuf and any other
// encoding negotiation stay promhttp's.
func TestTextEncoding(t *testing.T) {
	for _, c := range []struct {
		accept, encoding string
		want             string
		ok               bool
	}{
		{"", "", "identity", true},
		{"", "gzip", "gzip", true},
		{"text/plain;version=0.0.4", "gzip", "gzip", true},
		{"", "gzip, deflate", "", false},
		{"", "identity", "", false},
		{"", "zstd", "", false},
		{"application/openmetrics-text;version=1.0.0", "gzip", "", false},
		{"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "", "", false},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		if c.encoding != "" {
			req.Header.Set("Accept-Encoding", c.encoding)
		}
		got, ok := textEncoding(req, expfmt.NegotiateAccept(req.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...))
		assert.Equal(t, c.ok, ok, "%+v", c)
		assert.Equal(t, c.want, got, "%+v", c)
	}
}
