package monitoring

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/internal/testutil"
)

// seedCorpus adds every file of the health corpus as a seed, so each
// parser is tried on every kind of real answer, not only its own.
func seedCorpus(f *testing.F, extra ...string) {
	files, _ := filepath.Glob(filepath.Join(testutil.Corpus(f, "health"), "*"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

func FuzzParseAlerts(f *testing.F) {
	seedCorpus(f, "[]", `[{"labels":{"alertname":"x"},"status":{"state":"active"}}]`, `[{"alerts":null}]`)
	f.Fuzz(func(t *testing.T, b []byte) {
		alerts, err := parseAlerts(b)
		if err == nil {
			for _, a := range alerts {
				_ = a.suppressed()
			}
		}
	})
}

func FuzzParsePrometheusAPI(f *testing.F) {
	seedCorpus(f, targetsOneDown, rulesOK, rulesErr, `{"status":"success","data":{"headStats":{"numSeries":1,"maxTime":2}}}`,
		`{"status":"success","data":{"resultType":"scalar","result":[1,"NaN"]}}`,
		`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseTargets(b)
		_, _ = parseRules(b)
		_, _ = parseTSDB(b)
		_, _ = parseQuery(b)
	})
}

func FuzzParseSmallAnswers(f *testing.F) {
	seedCorpus(f, `[{"name":"pager"}]`, `{"cluster":{"status":"ready"}}`, `[{"uid":"a","type":"dash-db"}]`)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseReceivers(b)
		_, _ = parseAMStatus(b)
		_, _ = parseGrafanaHealth(b)
		_, _ = parseGrafanaSearch(b)
	})
}

func TestParsersOnCorpus(t *testing.T) {
	db, err := parseGrafanaHealth(corpus(t, "grafana-api-health-docs-example.json"))
	require.NoError(t, err)
	assert.Equal(t, "ok", db)
	// Text readiness answers are not JSON: the JSON parsers say so.
	for _, name := range []string{"loki-ready-200.txt", "loki-ready-503-ingester.txt", "prometheus-ready-200.txt", "prometheus-ready-503.txt"} {
		_, err := parseAlerts(corpus(t, name))
		assert.Error(t, err, name)
		_, err = parseQuery(corpus(t, name))
		assert.Error(t, err, name)
	}
	_, err = parseQuery([]byte(`{"status":"error","errorType":"bad_data","error":"parse error at char 3"}`))
	assert.ErrorContains(t, err, "parse error at char 3")
	_, err = parseTSDB([]byte(`{"status":"success","data":{}}`))
	assert.Error(t, err)
	_, err = parseAlerts([]byte(`[{"foo":1}]`))
	assert.Error(t, err)
}
