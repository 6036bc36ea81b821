package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/prometheus/common/model"
)

// writeJTL generates a JTL file of about size bytes in dir: JMeter's
// default columns, labels with leading spaces and commas in quotes,
// unsorted time stamps, 1% failures, log-normal-ish latencies.
func writeJTL(b *testing.B, dir string, size int64) (string, int64) {
	b.Helper()
	path := filepath.Join(dir, "big.jtl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprint(w, jtlHeader)
	rng := rand.New(rand.NewPCG(1, 2))
	labels := []string{"POST login", " GET user-list", `"GET search, by email"`, "POST payment-customer-to-merchant "}
	var written int64
	for i := 0; written < size; i++ {
		el := int(rng.ExpFloat64()*120) + 5
		ok := "true"
		if rng.IntN(100) == 0 {
			ok = "false"
		}
		ts := 1776660473857 + int64(i)*3 + int64(rng.IntN(2000))
		n, _ := fmt.Fprintf(w, "%d,%d,%s,200,OK,Thread Group 1-%d,text,%s,,696,282,%d,%d,https://app.example/api/x,%d,0,%d\n",
			ts, el, labels[i%len(labels)], i%100, ok, 100, 100, el-1, i%7)
		written += int64(n)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, written + int64(len(jtlHeader))
}

// BenchmarkJMeterParse: parse throughput (MB/s) of a ~50 MB JTL and the
// peak heap growth while parsing; the heap stays small because samples go
// into a per-millisecond histogram, not a slice.
func BenchmarkJMeterParse(b *testing.B) {
	path, size := writeJTL(b, b.TempDir(), 50<<20)
	b.SetBytes(size)
	b.ReportAllocs()
	var peak uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := testutil.PeakHeap(func() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			r, err := Parse(f, Options{Format: "jmeter"})
			if err != nil {
				b.Fatal(err)
			}
			if !r.Latency[P95].OK {
				b.Fatal("no p95")
			}
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(size)/(1<<20), "file-MiB")
}

// BenchmarkJMeterReadBytes: the time to merely read the same file, the
// floor for BenchmarkJMeterParse.
func BenchmarkJMeterReadBytes(b *testing.B) {
	path, size := writeJTL(b, b.TempDir(), 50<<20)
	b.SetBytes(size)
	buf := make([]byte, 64<<10)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, buf); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkCheckUnchanged: a scrape of a loadtest check whose result files
// have not changed (a stat per file, no read).
func BenchmarkCheckUnchanged(b *testing.B) {
	src := corpusDir(b)
	dir := b.TempDir()
	for _, n := range []string{"locust-retail_stats.csv", "locust-retail_stats_history.csv", "locust-retail_failures.csv", "jmeter-results-422-failures.jtl"} {
		raw, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), raw, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	lc := LoadTestCheck{Paths: []string{dir}, MaxP95: model.Duration(time.Minute)}
	lc.SetDefaults()
	c, err := newCheck(config.NewCheck("load", "loadtest", &lc), collector.Env{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Run(ctx, &collector.Report{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Run(ctx, &collector.Report{}); err != nil {
			b.Fatal(err)
		}
	}
}
