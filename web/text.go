package web

import (
	"bufio"
	"io"
	"net/http"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// textWriter writes a family from lines written ahead (see
// collector.RequestCollector.WriteText); ok false: encode it as usual.
type textWriter interface {
	WriteText(w io.Writer, mf *dto.MetricFamily) (ok bool, err error)
}

// textEncoding is the content encoding of a scrape served by serveText,
// and whether it is one: the text format (text/plain; version=0.0.4, what
// a scraper without an Accept header gets), and an Accept-Encoding for
// which promhttp's negotiation is plain: none (identity) or just gzip
// (Go's HTTP client). Anything else, OpenMetrics (Prometheus' default) for
// one, is served by promhttp.
func textEncoding(r *http.Request, format expfmt.Format) (string, bool) {
	if format.FormatType() != expfmt.TypeTextPlain {
		return "", false
	}
	switch ae := r.Header.Values("Accept-Encoding"); {
	case len(ae) == 0:
		return "identity", true
	case len(ae) == 1 && ae[0] == "gzip":
		return "gzip", true
	}
	return "", false
}

// textGzipLevel is the compression of a gzipped text scrape: gzip's
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
const textGzipLevel = gzip.BestSpeed

var gzipPool = sync.Pool{New: func() any {
	zw, err := gzip.NewWriterLevel(nil, textGzipLevel)
	if err != nil {
		panic(err) // a constant valid level
	}
	return zw
}}

// serveText serves g's families in the text format as
// promhttp.HandlerFor(g, HandlerOpts{ErrorHandling: ContinueOnError,
// ErrorLog: log, EnableOpenMetrics: true}) does (same headers, same text,
// same errors; gzipped at textGzipLevel), but writes the checks' families from the lines written
// when each run ended (issue 12): at 1000 checks the encoding of their
// ~11,000 series came after the last check had ended.
func serveText(w http.ResponseWriter, r *http.Request, g prometheus.Gatherer, tw textWriter, format expfmt.Format, encoding string, log slogErrorLog) {
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
		ok, err := tw.WriteText(bw, mf)
		if !ok {
			err = enc.Encode(mf)
		}
		if err != nil {
			log.Println("error encoding and sending metric family:", err)
		}
	}
	if err := bw.Flush(); err != nil {
		log.Println("error encoding and sending metric family:", err)
	}
}
