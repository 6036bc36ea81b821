package web

import (
	stdgzip "compress/gzip"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// BenchmarkTextGzip compresses an answer the size of 1000 http checks'
// (about 11 series a check) at gzipLevel with the writer serveLines
// uses and with the standard library's, the choice gzipLevel's
// comment explains: the compression is what a scrape still does after
// its last check has ended (issue 12). It reports the compressed size.
func BenchmarkTextGzip(b *testing.B) {
	body := []byte(checksAnswer(1000))
	writers := map[string]func(io.Writer) io.WriteCloser{
		"klauspost": func(w io.Writer) io.WriteCloser { z, _ := gzip.NewWriterLevel(w, gzipLevel); return z },
		"stdlib":    func(w io.Writer) io.WriteCloser { z, _ := stdgzip.NewWriterLevel(w, gzipLevel); return z },
	}
	for _, name := range []string{"klauspost", "stdlib"} {
		b.Run(name, func(b *testing.B) {
			var n countWriter
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				n = 0
				zw := writers[name](&n)
				if _, err := zw.Write(body); err != nil {
					b.Fatal(err)
				}
				if err := zw.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/1024, "gzipped-KiB")
		})
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// checksAnswer is a text answer shaped like n http checks' series.
func checksAnswer(n int) string {
	var sb strings.Builder
	families := []struct{ name, labels, value string }{
		{"golive_check_duration_seconds", `kind="http"`, "0.0{d}5123"},
		{"golive_check_last_run_timestamp_seconds", `kind="http"`, "1.7649{d}0012345e+09"},
		{"golive_check_queue_wait_seconds", `kind="http"`, "0.00{d}1"},
		{"golive_check_success", `kind="http"`, "1"},
		{"golive_http_content_length_bytes", `url="http://127.0.0.1:40000/health?c={i}"`, "2{d}"},
		{"golive_http_duration_seconds", `phase="processing",url="http://127.0.0.1:40000/health?c={i}"`, "0.05{d}17"},
		{"golive_http_duration_seconds", `phase="connect",url="http://127.0.0.1:40000/health?c={i}"`, "0.000{d}17"},
		{"golive_http_status_code", `url="http://127.0.0.1:40000/health?c={i}"`, "200"},
		{"golive_http_up", `url="http://127.0.0.1:40000/health?c={i}"`, "1"},
		{"golive_tcp_up", `address="127.0.0.1:40000"`, "1"},
		{"golive_http_body_match", `url="http://127.0.0.1:40000/health?c={i}"`, "1"},
	}
	for _, f := range families {
		fmt.Fprintf(&sb, "# HELP %s A figure.\n# TYPE %s gauge\n", f.name, f.name)
		for i := range n {
			r := strings.NewReplacer("{i}", fmt.Sprint(i), "{d}", fmt.Sprint(i%10))
			fmt.Fprintf(&sb, "%s{check=\"http_%04d\",%s} %s\n", f.name, i, r.Replace(f.labels), r.Replace(f.value))
		}
	}
	return sb.String()
}
