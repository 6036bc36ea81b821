package collector

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// BenchmarkScrape measures one whole scrape (every check run, metrics
// gathered and written in the text format, gzipped, as web serves them) of
// N checks that each take 50 ms, as a slow target would. The
// wall time per scrape should stay near the slowest single check
// (ratio ~1): the checks run side by side. scrape/slowest is defined as
// make bench's wall/slw (scripts/bench.d/compare): each scrape against the
// slowest check of that same scrape, the sum of the walls over the sum of
// the slowest checks; slowest-check-ms is the mean slowest check of a
// scrape. It also reports the process's
// CPU time per scrape and its peak RSS so far (sizes run in ascending
// order, so the peak belongs to the largest size run yet).
func BenchmarkScrape(b *testing.B) {
	const latency = 50 * time.Millisecond
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("checks=%d", n), func(b *testing.B) {
			behaviours := map[string]func(Env) Check{}
			var names []string
			desc := NewDesc("golive_bench_value", "A value.")
			for i := range n {
				name := fmt.Sprintf("c%d", i)
				behaviours[name] = fn(func(ctx context.Context, r *Report) error {
					t := time.NewTimer(latency)
					defer t.Stop()
					select {
					case <-t.C:
					case <-ctx.Done():
						return ctx.Err()
					}
					r.Gauge(desc, 1)
					return nil
				})
				names = append(names, name)
			}
			fakeKind(b, behaviours)
			var sb strings.Builder
			fmt.Fprintf(&sb, "global:\n  max_concurrency: %d\nchecks:\n", n)
			for _, name := range names {
				fmt.Fprintf(&sb, "  - name: %s\n    timeout: 5s\n    tcp: {address: \"127.0.0.1:1\"}\n", name)
			}
			cfg, err := config.Load([]byte(sb.String()), "bench.yml")
			if err != nil {
				b.Fatal(err)
			}
			s := New(cfg, nil)
			defer s.Close()
			var slowest time.Duration // Σ slowest check of each scrape
			var tail time.Duration    // Σ time from a scrape's last check's end to its end
			// web's gzipLevel.
			zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
			bw := bufio.NewWriterSize(zw, 64<<10)
			enc := func(w io.Writer, mf *dto.MetricFamily) error {
				_, err := expfmt.MetricFamilyToText(w, mf)
				return err
			}
			cpu0 := testutil.CPUTime()
			b.ResetTimer()
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				rc := s.Collector(ctx)
				// The server's path (web's serveMetrics, serveLines): gather,
				// then write the text format, gzipped.
				mfs, err := rc.Gather()
				if err != nil {
					b.Fatal(err)
				}
				zw.Reset(io.Discard)
				bw.Reset(zw)
				for _, mf := range mfs {
					ok, err := rc.WriteLines(bw, mf, expfmt.NewFormat(expfmt.TypeTextPlain))
					if !ok {
						err = enc(bw, mf)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				if err := bw.Flush(); err != nil {
					b.Fatal(err)
				}
				if err := zw.Close(); err != nil {
					b.Fatal(err)
				}
				done := time.Now()
				cancel()
				var scrapeSlowest time.Duration
				var last time.Time
				for _, r := range rc.Results {
					if r.Status != StatusPass {
						b.Fatalf("%s: %s %s", r.Check, r.Status, r.Message)
					}
					scrapeSlowest = max(scrapeSlowest, r.Duration)
					if end := r.Start.Add(r.Duration); end.After(last) {
						last = end
					}
				}
				slowest += scrapeSlowest
				tail += done.Sub(last)
			}
			b.StopTimer()
			b.ReportMetric(float64(slowest)/float64(b.N)/1e6, "slowest-check-ms")
			b.ReportMetric(float64(b.Elapsed())/float64(slowest), "scrape/slowest")
			// What a scrape does after its last check ended, its metrics'
			// gathering and writing (issue 12: 127 ms of a 1000-check
			// scrape).
			b.ReportMetric(float64(tail.Microseconds())/1000/float64(b.N), "after-last-check-ms")
			b.ReportMetric(float64((testutil.CPUTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/scrape")
			b.ReportMetric(testutil.PeakRSSMiB(), "peak-rss-MiB")
		})
	}
}

// BenchmarkScrapeCached measures a scrape of N checks whose results are all
// within their interval: what a scrape costs when nothing is due. Its
// cpu-us/check should not grow with N (issue 12: it grew ~25% from 1,000 to
// 10,000 checks while the registry sorted each family n log n, then ~15%
// with the copy of every result and the walk over every series that the
// memo of the last scrape now saves). one-due has one check without an
// interval, which runs at every scrape: the memo never holds, and every
// result is copied and every series gathered, as before it.
func BenchmarkScrapeCached(b *testing.B) {
	for _, due := range []bool{false, true} {
		for _, n := range []int{1000, 10000} {
			name := fmt.Sprintf("checks=%d", n)
			if due {
				name += "/one-due"
			}
			b.Run(name, func(b *testing.B) { benchScrapeCached(b, n, due) })
		}
	}
}

func benchScrapeCached(b *testing.B, n int, due bool) {
	behaviours := map[string]func(Env) Check{}
	var sb strings.Builder
	sb.WriteString("checks:\n")
	desc := NewDesc("golive_bench_value", "A value.")
	for i := range n {
		name := fmt.Sprintf("c%d", i)
		behaviours[name] = fn(func(_ context.Context, r *Report) error { r.Gauge(desc, 1); return nil })
		interval := "1h"
		if due && i == 0 {
			interval = "0s"
		}
		fmt.Fprintf(&sb, "  - name: %s\n    interval: %s\n    tcp: {address: \"127.0.0.1:1\"}\n", name, interval)
	}
	fakeKind(b, behaviours)
	cfg, err := config.Load([]byte(sb.String()), "bench.yml")
	if err != nil {
		b.Fatal(err)
	}
	s := New(cfg, nil)
	defer s.Close()
	s.Collect(context.Background())
	cpu0 := testutil.CPUTime()
	b.ResetTimer()
	for b.Loop() {
		// The server's path (web's serveMetrics).
		if _, err := s.Collector(context.Background()).Gather(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU time, not wall time: it holds on a busy machine, and divided by
	// the number of checks it shows whether the cost grows linearly.
	cpu := float64((testutil.CPUTime() - cpu0).Microseconds()) / float64(b.N)
	b.ReportMetric(cpu/1000, "cpu-ms/scrape")
	b.ReportMetric(cpu/float64(n), "cpu-us/check")
}

// BenchmarkBuildSeries measures what a run does when it ends: building its
// series and, once a text scrape has been served, writing their lines
// (issue 12: at 1000 checks ending together this work falls in the
// scrape's tail). The result is an http check's: its status series, an
// item, a failure reason, gauges with labels and a histogram.
func BenchmarkBuildSeries(b *testing.B) {
	gauge := NewDesc("golive_bench_build_value", "A value.", "phase")
	hist := NewHistogramDesc("golive_bench_build_seconds", "A histogram.")
	counter := NewCounterDesc("golive_bench_build_total", "A counter.")
	r := Result{
		Check: "api_health_check_0042", Kind: "http", Status: StatusFail, Reason: ReasonTimeout,
		Items: []string{"P3.1.02"}, Start: time.Unix(1764900000, 123456789),
		Duration: 53 * time.Millisecond, QueueWait: 1200 * time.Microsecond,
	}
	for i, phase := range []string{"resolve", "connect", "tls", "processing", "transfer"} {
		r.samples = append(r.samples, Sample{Desc: gauge, Type: prometheus.GaugeValue, Value: 0.00123 * float64(i+1), Labels: []string{phase}})
	}
	r.samples = append(r.samples,
		Sample{Desc: counter, Type: prometheus.CounterValue, Value: 1234},
		Sample{Desc: hist, Histogram: &HistogramValue{Count: 3, Sum: 0.42, Buckets: map[float64]uint64{0.1: 1, 0.5: 3}}})
	for _, c := range []struct {
		name    string
		formats lineFormats
	}{{"text=false", 0}, {"text=true", 1 << lineText}, {"text+openmetrics", 1<<lineText | 1<<lineOpenMetrics}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rs := buildSeries(r, c.formats); len(rs.other) != 0 {
					b.Fatal(rs.other)
				}
			}
		})
	}
	// The lines alone, of the series built.
	b.Run("lines", func(b *testing.B) {
		rs := buildSeries(r, 0)
		var scratch bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range rs.built {
				if seriesLines(&scratch, s.fam, s.typ, s.pb, lineText) == nil {
					b.Fatal("no lines")
				}
			}
		}
	})
}
