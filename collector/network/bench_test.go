package network

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"

	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
)

// BenchmarkHealthEvaluate measures parsing and evaluating a health answer
// with 50 components.
func BenchmarkHealthEvaluate(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"status":"ok","checks":{`)
	for i := 0; i < 50; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `"c%02d":{"status":"ok","details":{"latency_ms":%d,"host":"db-%d"}}`, i, i, i)
	}
	sb.WriteString("}}")
	body := []byte(sb.String())
	h := loadConfig(b, "  - name: h\n    http:\n      url: http://127.0.0.1:1/\n      health: true\n").Checks[0].Spec().(*HTTPCheck).Health
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		doc, err := parseJSON(body, "application/json")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := evaluateHealth(doc, h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHealthLargeAnswer reads a 48 MB health answer (the size that
// took 700-900 MB when it was decoded into a tree) in each of the shapes of
// TestHTTPHealthMemoryBounded: throughput and the peak heap of reading it.
func BenchmarkHealthLargeAnswer(b *testing.B) {
	h := loadConfig(b, "  - name: h\n    http:\n      url: http://127.0.0.1:1/\n      health: true\n").Checks[0].Spec().(*HTTPCheck).Health
	for name, body := range largeHealthBodies(48 << 20) {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			var peak uint64
			for b.Loop() {
				peak = max(peak, testutil.PeakHeap(func() {
					doc, err := parseJSON(body, "application/json")
					if err != nil {
						b.Fatal(err)
					}
					if _, err := evaluateHealth(doc, h); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// BenchmarkReadCertificates measures reading a two-certificate bundle.
func BenchmarkReadCertificates(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testutil.Corpus(b, "certs"), "prometheus-common-tls-ca-chain-intermediate-root.pem"))
	if err != nil {
		b.Skip("corpus not present")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if certs, errs := readCertificates(data, 10); len(certs) != 2 || len(errs) != 0 {
			b.Fatal(certs, errs)
		}
	}
}

// BenchmarkReadCertificatesMarkers measures the worst file the tls check
// reads whole: 4 MiB (maxCertFileBytes) of BEGIN lines that open no block.
// Its cost per byte should not grow with the file's size.
func BenchmarkReadCertificatesMarkers(b *testing.B) {
	for _, size := range []int{1 << 20, maxCertFileBytes} {
		b.Run(fmt.Sprintf("bytes=%d", size), func(b *testing.B) {
			line := []byte("-----BEGIN x\n")
			data := bytes.Repeat(line, size/len(line))
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if certs, _ := readCertificates(data, MaxTLSCertificates); len(certs) != 0 {
					b.Fatal(certs)
				}
			}
		})
	}
}

// BenchmarkHTTPCheckRun measures one run of an http check with a health
// condition and security headers against a loopback server (a fresh
// connection each run, as in production).
func BenchmarkHTTPCheckRun(b *testing.B) {
	s := httptest.NewServer(fixed(200, "application/json", healthyJSON))
	defer s.Close()
	cfg := loadConfig(b, "  - name: h\n    http:\n      url: "+s.URL+"\n      health: true\n      security_headers: true\n")
	chk, err := newHTTP(cfg.Checks[0], collector.Env{Config: cfg})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := chk.Run(context.Background(), &collector.Report{}); err != nil {
			b.Fatal(err)
		}
	}
}
