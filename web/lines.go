package web

import (
	"bufio"
	"io"
	"net/http"
	"sync"

	"github.com/golive/golive_exporter/collector"
	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// linesWriter writes a family in a format from lines written ahead (see
// collector.RequestCollector.WriteLines); ok false: encode it as usual.
type linesWriter interface {
	WriteLines(w io.Writer, mf *dto.MetricFamily, format expfmt.Format) (ok bool, err error)
}

// linesEncoding is the content encoding of a scrape served by serveLines,
// and whether it is one: a format the runs write lines in
// (collector.WritesLines: the text format, what a scraper without an
// Accept header gets, and OpenMetrics 1.0.0 and 0.0.1, what Prometheus
// asks for first), and an Accept-Encoding for which promhttp's
// negotiation is plain: none or identity (Prometheus with
// enable_compression: false), or just gzip (Go's HTTP client,
// Prometheus). Anything else, protobuf for one, is served by promhttp.
func linesEncoding(r *http.Request, format expfmt.Format) (string, bool) {
	if !collector.WritesLines(format) {
		return "", false
	}
	switch ae := r.Header.Values("Accept-Encoding"); {
	case len(ae) == 0, len(ae) == 1 && ae[0] == "identity":
		return "identity", true
	case len(ae) == 1 && ae[0] == "gzip":
		return "gzip", true
	}
	return "", false
}

// gzipLevel is the compression of a gzipped scrape served by
// serveLines (text or OpenMetrics): gzip's
// fastest, not promhttp's default level. At 1000 checks gzip at the
// default level was a quarter of what a scrape did after its last check
// had ended (issue 12); the fastest level takes less CPU for a larger
// body, on what is mostly a loopback or LAN hop.
//
// The writer is klauspost/compress's gzip, not the standard library's: on
// the 705 KB answer of 1000 http checks its fastest level took 2.3 ms
// against 5.7 ms and wrote 64.5 KB against 65.2 KB (the same gzip; any
// reader reads it), and the compression is what a scrape still does after
// its last check has ended.
const gzipLevel = gzip.BestSpeed

var gzipPool = sync.Pool{New: func() any {
	zw, err := gzip.NewWriterLevel(nil, gzipLevel)
	if err != nil {
		panic(err) // a constant valid level
	}
	return zw
}}

// serveLines serves g's families in format (the text format or
// OpenMetrics, see linesEncoding) as promhttp.HandlerFor(g,
// HandlerOpts{ErrorHandling: ContinueOnError, ErrorLog: log,
// EnableOpenMetrics: true}) does (same headers, same body, # EOF
// included, same errors; gzipped at gzipLevel), but writes the checks'
// families from the lines written when each run ended (issue 12): at 1000
// checks the encoding of their ~11,000 series came after the last check
// had ended.
func serveLines(w http.ResponseWriter, r *http.Request, g prometheus.Gatherer, lw linesWriter, format expfmt.Format, encoding string, log slogErrorLog) {
	mfs, err := g.Gather()
	if err != nil {
		log.Println("error gathering metrics:", err)
		if len(mfs) == 0 {
			// promhttp's httpError.
			w.Header().Del("Content-Encoding")
			http.Error(w, "An error has occurred while serving metrics:\n\n"+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Add("Vary", "Accept")
	w.Header().Add("Vary", "Accept-Encoding")
	w.Header().Set("Content-Type", string(format))
	var out io.Writer = w
	if encoding == "gzip" {
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzipPool.Get().(*gzip.Writer)
		gz.Reset(w)
		defer func() { _ = gz.Close(); gzipPool.Put(gz) }()
		out = gz
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	enc := expfmt.NewEncoder(bw, format)
	var filter map[string]bool
	if r.URL != nil {
		if names := r.URL.Query()["name[]"]; len(names) > 0 {
			filter = make(map[string]bool, len(names))
			for _, n := range names {
				filter[n] = true
			}
		}
	}
	for _, mf := range mfs {
		if filter != nil && !filter[mf.GetName()] {
			continue
		}
		ok, err := lw.WriteLines(bw, mf, format)
		if !ok {
			err = enc.Encode(mf)
		}
		if err != nil {
			log.Println("error encoding and sending metric family:", err)
		}
	}
	// OpenMetrics' final # EOF line, as promhttp writes it.
	if closer, ok := enc.(expfmt.Closer); ok {
		if err := closer.Close(); err != nil {
			log.Println("error encoding and sending metric family:", err)
		}
	}
	if err := bw.Flush(); err != nil {
		log.Println("error encoding and sending metric family:", err)
	}
}
