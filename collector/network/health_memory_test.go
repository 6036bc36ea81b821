package network

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/internal/testutil"
)

// largeHealthBodies are health answers of about size bytes in the shapes
// that make a decoder into a tree of Go values cost most: a health answer
// with a large statistics section, one with very many components, and one
// whose extra data is made of tiny values.
func largeHealthBodies(size int) map[string][]byte {
	out := map[string][]byte{}

	var b bytes.Buffer
	b.WriteString(`{"status":"healthy","checks":{"database":{"status":"healthy","message":"Database connection successful","details":{"connected":true,"responsive":true}},"frontend":{"status":"degraded","message":"Frontend not detected (optional service)","details":{"running":false,"port":null}}},"statistics":{"recent":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"student-%07d","active":true,"grades":[1.5,2,3]}`, i, i)
	}
	b.WriteString(`]}}`)
	out["large statistics"] = bytes.Clone(b.Bytes())

	b.Reset()
	b.WriteString(`{"status":"ok","checks":{`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"c%07d":"ok"`, i)
	}
	b.WriteString(`}}`)
	out["many components"] = bytes.Clone(b.Bytes())

	b.Reset()
	b.WriteString(`{"status":"ok","checks":{"db":"ok"},"data":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		if i%2 == 0 {
			b.WriteString("{}")
		} else {
			b.WriteString("[]")
		}
	}
	b.WriteString(`]}`)
	out["tiny values"] = bytes.Clone(b.Bytes())
	return out
}

// TestHTTPHealthMemoryBounded runs the http check with health and a JSON
// condition on answers of 4 MiB and holds the heap the run needs to a small
// multiple of the answer's size (decoding into a tree of Go values took 15
// to 19 times the answer). Not parallel: PeakHeap measures the whole
// process's heap.
func TestHTTPHealthMemoryBounded(t *testing.T) {
	const size = 4 << 20
	const maxFactor = 3
	for name, body := range largeHealthBodies(size) {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s chunked=%v", name, chunked), func(t *testing.T) {
				s := serve(t, func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					if !chunked {
						w.Header().Set("Content-Length", strconv.Itoa(len(body)))
					}
					for rest := body; len(rest) > 0; {
						n := min(len(rest), 256<<10)
						_, _ = w.Write(rest[:n])
						rest = rest[n:]
						if chunked {
							w.(http.Flusher).Flush()
						}
					}
				})
				cfg := loadConfig(t, "  - name: big\n    http:\n      url: "+s.URL+"/health\n      max_body_bytes: 16777216\n      health: true\n      json:\n        - path: status\n          matches: '^(ok|healthy)$'\n")
				chk, err := newHTTP(cfg.Checks[0], collector.Env{Config: cfg})
				require.NoError(t, err)
				var rep *collector.Report
				var runErr error
				peak := testutil.PeakHeap(func() {
					rep, runErr = collectortest.RunCheck(t, chk)
				})
				require.NoError(t, runErr)
				for _, c := range rep.Conditions() {
					if c.Name != "health components degraded" && c.Name != "health components within max_components" {
						assert.True(t, c.OK, "%+v", c)
					}
				}
				assert.Equal(t, float64(len(body)), collectortest.SampleValue(t, rep, httpBodyBytesDesc))
				t.Logf("answer %d bytes, peak heap %d bytes (%.1fx)", len(body), peak, float64(peak)/float64(len(body)))
				assert.LessOrEqual(t, peak, uint64(maxFactor*len(body)), "peak heap of one run over %d times the answer's size", maxFactor)
			})
		}
	}
}
