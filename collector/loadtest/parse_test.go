package loadtest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusDir is the load-test folder of the corpus (internal/testutil/testdata/corpus).
func corpusDir(t testing.TB) string {
	t.Helper()
	return testutil.Corpus(t, "loadtest")
}

func parseFile(t *testing.T, path string, o Options) (*Result, error) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	return Parse(f, o)
}

func parseString(s string, o Options) (*Result, error) { return Parse(strings.NewReader(s), o) }

// want lists the figures expected from a file; NaN-free, absent figures
// are listed in absent.
type want struct {
	format                 string
	p50, p90, p95, p99, mx float64
	requests, failed       float64
	errorRatio, rps        float64
	vus, duration          float64
	derived                bool
	time                   time.Time
	thresholdsOK, thrFail  int
	checksOK, checksFail   float64
	absent                 []string
}

func figure(r *Result, name string) Value {
	switch name {
	case "p50":
		return r.Latency[P50]
	case "p90":
		return r.Latency[P90]
	case "p95":
		return r.Latency[P95]
	case "p99":
		return r.Latency[P99]
	case "max":
		return r.Latency[Max]
	case "requests":
		return r.Requests
	case "failed":
		return r.Failed
	case "error_ratio":
		return r.ErrorRatio
	case "rps":
		return r.RPS
	case "vus":
		return r.VUs
	case "duration":
		return r.Duration
	}
	panic(name)
}

func checkWant(t *testing.T, r *Result, w want) {
	t.Helper()
	assert.Equal(t, w.format, r.Format)
	expect := map[string]float64{"p50": w.p50, "p90": w.p90, "p95": w.p95, "p99": w.p99, "max": w.mx,
		"requests": w.requests, "failed": w.failed, "error_ratio": w.errorRatio, "rps": w.rps, "vus": w.vus, "duration": w.duration}
	for _, a := range w.absent {
		assert.False(t, figure(r, a).OK, "%s should be absent, got %v", a, figure(r, a).V)
		delete(expect, a)
	}
	for name, v := range expect {
		got := figure(r, name)
		if assert.True(t, got.OK, "%s missing", name) {
			assert.InDelta(t, v, got.V, 1e-9*max(1, v), name)
		}
	}
	assert.Equal(t, w.derived, r.DurationDerived, "duration derived")
	assert.True(t, w.time.Equal(r.Time), "time: want %s, got %s", w.time, r.Time)
	assert.Equal(t, w.thresholdsOK, r.ThresholdsPassed, "thresholds passed")
	assert.Equal(t, w.thrFail, r.ThresholdsFailed, "thresholds failed")
	assert.Equal(t, w.checksOK, r.ChecksPassed, "checks passed")
	assert.Equal(t, w.checksFail, r.ChecksFailed, "checks failed")
}

// TestCorpus reads every file of the load-test corpus; the figures
// were read off the files by hand (JMeter percentiles worked out from the
// sorted elapsed column).
func TestCorpus(t *testing.T) {
	cases := map[string]want{
		"gatling-global_stats-high-ko.json": {
			format: "gatling", p50: 0.671, p95: 48.321, p99: 60.005, mx: 60.012,
			requests: 7986, failed: 2909, errorRatio: 2909.0 / 7986, rps: 39.33990147783251,
			duration: 7986 / 39.33990147783251, derived: true,
			absent: []string{"p90", "vus"},
		},
		"jmeter-results-422-failures.jtl": {
			// 1700 samples, 2 with success=false (HTTP 422, empty
			// failureMessage); first timeStamp 1776660473857, latest end
			// 1776660534655; allThreads peaks at 8.
			format: "jmeter", p50: 0.0745, p90: 0.3669, p95: 0.43195, p99: 0.49898, mx: 1.088,
			requests: 1700, failed: 2, errorRatio: 2.0 / 1700, rps: 1700 / 60.798, vus: 8, duration: 60.798,
			time: time.UnixMilli(1776660534655),
		},
		"k6-handlesummary-compact-thresholds-ok.json": {
			format: "k6", p50: 0.2550285, p90: 0.2578066, p95: 0.26064205000000004, mx: 0.26089,
			requests: 20, failed: 0, errorRatio: 0, rps: 2.4169333249062928, vus: 5, duration: 8.274949,
			thresholdsOK: 2, absent: []string{"p99"},
		},
		"k6-summary-export-legacy-threshold-failed.json": {
			// http_req_failed passes=171890 are failures; vus.max 2961
			// (vus_max, the allocated pool, is 3083).
			format: "k6_legacy", p50: 0.005544804, p90: 0.117318742, p95: 0.1652882499, mx: 0.780232343,
			requests: 752192, failed: 171890, errorRatio: 171890.0 / 752192, rps: 16704.124848078805, vus: 2961,
			duration: 752192 / 16704.124848078805, derived: true,
			thrFail: 1, checksOK: 133633 + 6812 + 611747, absent: []string{"p99"},
		},
		"locust-retail_stats.csv": {
			format: "locust", p50: 1.5, p90: 19, p95: 33, p99: 46, mx: 53.15464070899179,
			requests: 37219, failed: 1, errorRatio: 1.0 / 37219, rps: 631.3258640849056,
			duration: 37219 / 631.3258640849056, derived: true, absent: []string{"vus"},
		},
		"locust-retail_stats_history.csv": {
			format: "locust", p50: 1.5, p90: 19, p95: 33, p99: 46, mx: 53.15464070899179,
			requests: 37219, failed: 1, errorRatio: 1.0 / 37219, rps: 37219.0 / 63, vus: 15000, duration: 1724151306 - 1724151243,
			time: time.Unix(1724151306, 0),
		},
		"locust-httpbin_stats_history.csv": {
			// \r\r\n line endings; the first row's percentiles are N/A.
			format: "locust", p50: 0.009, p90: 0.047, p95: 0.048, p99: 0.051, mx: 0.3343184001278132,
			requests: 24075, failed: 0, errorRatio: 0, rps: 24075.0 / 60, vus: 10, duration: 60,
			time: time.Unix(1775150144, 0),
		},
		"locust-retail_failures.csv": {
			format: "locust", failed: 1,
			absent: []string{"p50", "p90", "p95", "p99", "max", "requests", "error_ratio", "rps", "vus", "duration"},
		},
	}
	dir := corpusDir(t)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		w, ok := cases[e.Name()]
		require.True(t, ok, "corpus file %s has no expected figures in this test", e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			r, err := parseFile(t, filepath.Join(dir, e.Name()), Options{})
			require.NoError(t, err)
			checkWant(t, r, w)
		})
	}
}

// TestCorpusExplicitFormat reads the corpus with the format set instead of
// recognised.
func TestCorpusExplicitFormat(t *testing.T) {
	dir := corpusDir(t)
	for name, format := range map[string]string{
		"gatling-global_stats-high-ko.json":              "gatling",
		"jmeter-results-422-failures.jtl":                "jmeter",
		"k6-handlesummary-compact-thresholds-ok.json":    "k6",
		"k6-summary-export-legacy-threshold-failed.json": "k6_legacy",
		"locust-retail_stats.csv":                        "locust",
	} {
		r, err := parseFile(t, filepath.Join(dir, name), Options{Format: format})
		require.NoError(t, err, name)
		assert.True(t, r.Requests.OK, name)
	}
	// The legacy file also reads as k6 (one parser for both shapes).
	r, err := parseFile(t, filepath.Join(dir, "k6-summary-export-legacy-threshold-failed.json"), Options{Format: "k6"})
	require.NoError(t, err)
	assert.Equal(t, "k6_legacy", r.Format)
	// Wrong formats are refused with a clear message.
	_, err = parseFile(t, filepath.Join(dir, "k6-handlesummary-compact-thresholds-ok.json"), Options{Format: "k6_legacy"})
	assert.ErrorContains(t, err, "set format to k6")
	_, err = parseFile(t, filepath.Join(dir, "k6-handlesummary-compact-thresholds-ok.json"), Options{Format: "jmeter"})
	assert.ErrorContains(t, err, "JSON file, but format is jmeter")
	_, err = parseFile(t, filepath.Join(dir, "jmeter-results-422-failures.jtl"), Options{Format: "gatling"})
	assert.ErrorIs(t, err, ErrNotLoadTest)
	_, err = parseFile(t, filepath.Join(dir, "gatling-global_stats-high-ko.json"), Options{Format: "k6"})
	assert.ErrorIs(t, err, ErrNotLoadTest)
	_, err = parseFile(t, filepath.Join(dir, "jmeter-results-422-failures.jtl"), Options{Format: "locust"})
	assert.ErrorIs(t, err, ErrNotLoadTest)
}

func TestK6Variants(t *testing.T) {
	t.Run("sub-metric as latency", func(t *testing.T) {
		r, err := parseFile(t, filepath.Join(corpusDir(t), "k6-summary-export-legacy-threshold-failed.json"),
			Options{K6Metric: "http_req_duration{expected_response:true}"})
		require.NoError(t, err)
		assert.InDelta(t, 0.17997679984999996, r.Latency[P95].V, 1e-12)
	})
	t.Run("p99 and med from summaryTrendStats", func(t *testing.T) {
		r, err := parseString(`{"metrics":{"http_req_duration":{"type":"trend","contains":"time","values":{"med":12,"p(99)":250.5,"max":300}}},"state":{"testRunDurationMs":60000}}`, Options{})
		require.NoError(t, err)
		assert.Equal(t, Value{V: 0.2505, OK: true}, r.Latency[P99])
		assert.Equal(t, Value{V: 0.012, OK: true}, r.Latency[P50])
		assert.False(t, r.Latency[P95].OK)
		assert.Equal(t, 60.0, r.Duration.V)
	})
	t.Run("browser metrics only", func(t *testing.T) {
		r, err := parseString(`{"metrics":{"browser_web_vital_lcp":{"type":"trend","contains":"time","values":{"p(95)":900}}},"root_group":{"checks":[{"name":"x","passes":3,"fails":1}],"groups":[{"checks":[{"passes":2,"fails":0}],"groups":[]}]}}`, Options{})
		require.NoError(t, err)
		assert.False(t, r.Latency[P95].OK)
		assert.False(t, r.Requests.OK)
		assert.Equal(t, 5.0, r.ChecksPassed)
		assert.Equal(t, 1.0, r.ChecksFailed)
	})
	t.Run("legacy groups by name", func(t *testing.T) {
		r, err := parseString(`{"root_group":{"groups":{"login":{"checks":{"ok":{"passes":7,"fails":2}},"groups":{}}},"checks":{}},"metrics":{"http_reqs":{"count":10,"rate":2}}}`, Options{})
		require.NoError(t, err)
		assert.Equal(t, 7.0, r.ChecksPassed)
		assert.Equal(t, 2.0, r.ChecksFailed)
		assert.Equal(t, 5.0, r.Duration.V)
		assert.True(t, r.DurationDerived)
	})
	t.Run("threshold shapes", func(t *testing.T) {
		r, err := parseString(`{"metrics":{"a":{"type":"rate","values":{"rate":0},"thresholds":{"rate<0.1":{"ok":false},"rate<0.5":{"ok":true}}}},"state":{}}`, Options{})
		require.NoError(t, err)
		assert.Equal(t, 1, r.ThresholdsPassed)
		assert.Equal(t, 1, r.ThresholdsFailed)
		r, err = parseString(`{"metrics":{"a":{"value":0,"thresholds":{"rate<0.1":false,"rate<0.01":true}}}}`, Options{})
		require.NoError(t, err)
		assert.Equal(t, 1, r.ThresholdsPassed, "false means passed in the legacy export")
		assert.Equal(t, 1, r.ThresholdsFailed)
		_, err = parseString(`{"metrics":{"a":{"value":0,"thresholds":{"x":"yes"}}}}`, Options{})
		assert.ErrorContains(t, err, "threshold")
	})
	t.Run("non-time trend refused as latency", func(t *testing.T) {
		// The file is fine: the configuration named a trend of bytes. No
		// latency, and the note the latency limits give says why.
		r, err := parseString(`{"metrics":{"size":{"type":"trend","contains":"data","values":{"p(95)":9}}},"state":{}}`, Options{K6Metric: "size"})
		require.NoError(t, err)
		assert.False(t, r.Latency[P95].OK)
		assert.Contains(t, r.LatencyNote, `the k6 metric "size" is a trend of data values, not of times`)
	})
	t.Run("rate without passes", func(t *testing.T) {
		r, err := parseString(`{"metrics":{"http_req_failed":{"type":"rate","values":{"rate":0.25}}},"state":{}}`, Options{})
		require.NoError(t, err)
		assert.Equal(t, 0.25, r.ErrorRatio.V)
	})
	t.Run("metrics not an object", func(t *testing.T) {
		_, err := parseString(`{"metrics":[1,2]}`, Options{})
		assert.Error(t, err)
		_, err = parseString(`{"metrics":null}`, Options{})
		assert.ErrorIs(t, err, ErrNotLoadTest)
	})
}

// TestJSONStreamed: k6 and Gatling summaries are read key by key in any
// order, and whatever the exporter does not use (k6 metrics it does not
// judge, Gatling's per-request contents) is skipped without being kept.
func TestJSONStreamed(t *testing.T) {
	t.Run("k6 keys in any order", func(t *testing.T) {
		in := `{"root_group":{"groups":[{"checks":[{"passes":4,"fails":1}]}],"checks":[]},` +
			`"metrics":{"iteration_duration":{"type":"trend","contains":"time","values":{"p(95)":9000},"thresholds":{"p(95)<10000":{"ok":true}}},` +
			`"http_req_duration":{"type":"trend","contains":"time","values":{"med":100,"p(95)":300,"max":900}},` +
			`"http_reqs":{"type":"counter","values":{"count":600,"rate":10}}},` +
			`"options":{"summaryTrendStats":["med","p(95)","max"],"nested":{"a":[1,{"b":null}]}},"state":{"testRunDurationMs":60000}}`
		r, err := parseString(in, Options{})
		require.NoError(t, err)
		assert.Equal(t, "k6", r.Format)
		assert.Equal(t, 0.3, r.Latency[P95].V)
		assert.Equal(t, 0.1, r.Latency[P50].V)
		assert.Equal(t, 600.0, r.Requests.V)
		assert.Equal(t, 60.0, r.Duration.V)
		assert.Equal(t, 1, r.ThresholdsPassed, "thresholds of every metric count")
		assert.Equal(t, 4.0, r.ChecksPassed)
		assert.Equal(t, 1.0, r.ChecksFailed)
	})
	t.Run("gatling stats.json with per-request contents", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"type":"GROUP","name":"All Requests","contents":{`)
		for i := 0; i < 5000; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"req_%d":{"type":"REQUEST","stats":{"numberOfRequests":{"total":1}}}`, i)
		}
		b.WriteString(`},"stats":{"name":"All Requests","numberOfRequests":{"total":5000,"ok":4950,"ko":50},"percentiles3":{"total":420},` +
			`"group1":{"name":"t < 800 ms","count":10},"meanNumberOfRequestsPerSecond":{"total":50}}}`)
		r, err := parseString(b.String(), Options{})
		require.NoError(t, err)
		assert.Equal(t, "gatling", r.Format)
		assert.Equal(t, 5000.0, r.Requests.V, "the global figures, not a request's")
		assert.Equal(t, 0.01, r.ErrorRatio.V)
		assert.Equal(t, 0.42, r.Latency[P95].V)
		assert.Equal(t, 100.0, r.Duration.V)
	})
}

func TestGatlingVariants(t *testing.T) {
	// Old stats.json: wrapped in "stats", numbers as strings, "-" for n/a.
	r, err := parseString(`{"type":"GROUP","name":"All Requests","stats":{"numberOfRequests":{"total":"100","ok":"99","ko":"1"},
		"maxResponseTime":{"total":"900"},"percentiles1":{"total":"-"},"percentiles2":{"total":"120"},"percentiles3":{"total":"400"},"percentiles4":{"total":"800"},
		"meanNumberOfRequestsPerSecond":{"total":"2.5"}}}`, Options{GatlingPercentiles: []float64{50, 90, 95, 99.9}})
	require.NoError(t, err)
	assert.False(t, r.Latency[P50].OK, "- is n/a")
	assert.Equal(t, 0.12, r.Latency[P90].V)
	assert.Equal(t, 0.4, r.Latency[P95].V)
	assert.False(t, r.Latency[P99].OK, "99.9 is not exported as 99")
	assert.Equal(t, 0.9, r.Latency[Max].V)
	assert.Equal(t, 0.01, r.ErrorRatio.V)
	assert.Equal(t, 40.0, r.Duration.V)

	_, err = parseString(`{"numberOfRequests":{"total":"x"}}`, Options{})
	assert.ErrorIs(t, err, ErrNotLoadTest)
	_, err = parseString(`{"numberOfRequests":{"total":1},"percentiles1":[1]}`, Options{})
	assert.ErrorContains(t, err, "percentiles1")
}

const jtlHeader = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n"

func TestJMeterVariants(t *testing.T) {
	t.Run("columns by header name, quoted labels, unsorted", func(t *testing.T) {
		in := "label,success,elapsed,timeStamp,allThreads\n" +
			`" POST user-create, with comma",true,300,1700000000500,4` + "\n" +
			`GET x,false,100,1700000000000,2` + "\n" +
			`"multi` + "\n" + `line",true,200,1700000000100,9` + "\n"
		r, err := parseString(in, Options{})
		require.NoError(t, err)
		assert.Equal(t, 3.0, r.Requests.V)
		assert.Equal(t, 1.0, r.Failed.V)
		assert.Equal(t, 9.0, r.VUs.V)
		assert.Equal(t, 0.8, r.Duration.V) // 1700000000000 .. 1700000000800
		assert.True(t, time.UnixMilli(1700000000800).Equal(r.Time), "end time %s", r.Time)
		assert.Equal(t, 0.3, r.Latency[Max].V)
		assert.Equal(t, 0.2, r.Latency[P50].V)
	})
	t.Run("headerless default columns", func(t *testing.T) {
		in := "1700000000000,120,GET a,200,OK,TG 1-1,text,true,,10,10,1,1,http://x,100,0,5\n" +
			"1700000001000,80,GET a,500,ERR,TG 1-1,text,false,boom,10,10,1,1,http://x,70,0,5\n"
		r, err := parseString(in, Options{})
		require.NoError(t, err)
		assert.Equal(t, 2.0, r.Requests.V)
		assert.Equal(t, 0.5, r.ErrorRatio.V)
	})
	t.Run("formatted time stamps", func(t *testing.T) {
		r, err := parseString("timeStamp,elapsed,success\n2024/01/02 10:00:00.000,1000,true\n2024/01/02 10:00:09.000,1000,true\n", Options{})
		require.NoError(t, err)
		assert.Equal(t, 10.0, r.Duration.V)
		assert.False(t, r.VUs.OK, "no thread columns")
	})
	t.Run("percentiles from many samples", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("timeStamp,elapsed,success\n")
		for i := 1; i <= 1000; i++ { // elapsed 1..1000 ms, written in reverse
			fmt.Fprintf(&b, "1700000000000,%d,true\n", 1001-i)
		}
		r, err := parseString(b.String(), Options{})
		require.NoError(t, err)
		// Commons Math: position p(n+1)/100 = 500.5 -> 500.5 ms.
		assert.InDelta(t, 0.5005, r.Latency[P50].V, 1e-12)
		assert.InDelta(t, 0.9009, r.Latency[P90].V, 1e-12)
		assert.InDelta(t, 0.95095, r.Latency[P95].V, 1e-12)
		assert.InDelta(t, 0.99099, r.Latency[P99].V, 1e-12)
		assert.Equal(t, 1.0, r.Latency[Max].V)
	})
	t.Run("samples past the histogram", func(t *testing.T) {
		in := jtlHeader2("1700000000000,5,true", "1700000000000,2000000,false", "1700000000000,3000000,true")
		r, err := parseString(in, Options{})
		require.NoError(t, err)
		assert.Equal(t, 3000.0, r.Latency[Max].V)
		assert.Equal(t, 2000.0, r.Latency[P50].V)
	})
	t.Run("truncated last row is dropped", func(t *testing.T) {
		in := jtlHeader + "1700000000000,120,GET a,200,OK,TG 1-1,text,true,,10,10,1,1,http://x,100,0,5\n1700000001000,80,GET a,50"
		r, err := parseString(in, Options{})
		require.NoError(t, err)
		assert.Equal(t, 1.0, r.Requests.V)
	})
	t.Run("bad row in the middle", func(t *testing.T) {
		in := jtlHeader2("1700000000000,5,true", "1700000000000,abc,true", "1700000000000,7,true")
		_, err := parseString(in, Options{})
		assert.ErrorContains(t, err, "record 3")
	})
	t.Run("time stamp out of range", func(t *testing.T) {
		in := jtlHeader2("1700000000000,5,true", "9223372036854775000,5,true", "1700000000000,7,true")
		_, err := parseString(in, Options{})
		assert.ErrorContains(t, err, "record 3")
		assert.ErrorContains(t, err, "out of range")
	})
	t.Run("short row in the middle", func(t *testing.T) {
		in := jtlHeader2("1700000000000,5,true", "1700000000000", "1700000000000,7,true")
		_, err := parseString(in, Options{})
		assert.ErrorContains(t, err, "fields")
	})
	t.Run("excluded labels", func(t *testing.T) {
		// The corpus file has 100 "Debug Sampler" samples; without them
		// 1600 remain (percentiles worked out from the remaining elapsed).
		r, err := parseFile(t, filepath.Join(corpusDir(t), "jmeter-results-422-failures.jtl"),
			Options{JMeterExclude: regexp.MustCompile(`^Debug Sampler$`)})
		require.NoError(t, err)
		assert.Equal(t, 1600.0, r.Requests.V)
		assert.Equal(t, 2.0, r.Failed.V)
		assert.InDelta(t, 0.076, r.Latency[P50].V, 1e-12)
		assert.InDelta(t, 0.378, r.Latency[P90].V, 1e-12)
		assert.InDelta(t, 0.43495, r.Latency[P95].V, 1e-12)
		assert.InDelta(t, 0.49999, r.Latency[P99].V, 1e-12)
		// Labels are matched trimmed (" POST user-create").
		r, err = parseString("label,timeStamp,elapsed,success\n POST user-create ,1700000000000,5,true\nGET a,1700000000000,7,true\n",
			Options{JMeterExclude: regexp.MustCompile(`^POST user-create$`)})
		require.NoError(t, err)
		assert.Equal(t, 1.0, r.Requests.V)
		_, err = parseString("label,timeStamp,elapsed,success\nGET a,1700000000000,7,true\n", Options{JMeterExclude: regexp.MustCompile(`.`)})
		assert.ErrorContains(t, err, "all 1 samples excluded")
	})
	t.Run("no success column", func(t *testing.T) {
		r, err := parseString("timeStamp,elapsed\n1700000000000,10\n", Options{})
		require.NoError(t, err)
		assert.Equal(t, 1.0, r.Requests.V)
		assert.False(t, r.Failed.OK, "failures unknown without the success column")
		assert.False(t, r.ErrorRatio.OK)
	})
	t.Run("negative elapsed", func(t *testing.T) {
		_, err := parseString(jtlHeader2("1700000000000,-5,true"), Options{})
		assert.Error(t, err)
	})
	t.Run("XML JTL", func(t *testing.T) {
		_, err := parseString(`<?xml version="1.0"?><testResults version="1.2"></testResults>`, Options{Format: "jmeter"})
		assert.ErrorContains(t, err, "XML JTL is not supported")
	})
}

func jtlHeader2(rows ...string) string {
	return "timeStamp,elapsed,success\n" + strings.Join(rows, "\n") + "\n"
}

func TestLocustLineEndings(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(corpusDir(t), "locust-retail_stats.csv"))
	require.NoError(t, err)
	lf := bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	for name, in := range map[string][]byte{
		"lf":               lf,
		"crlf":             bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n")),
		"crcrlf":           bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\r\n")),
		"no final newline": bytes.TrimRight(lf, "\n"),
		"bom":              append([]byte("\xef\xbb\xbf"), lf...),
	} {
		t.Run(name, func(t *testing.T) {
			r, err := Parse(bytes.NewReader(in), Options{})
			require.NoError(t, err)
			assert.Equal(t, 37219.0, r.Requests.V)
			assert.Equal(t, 46.0, r.Latency[P99].V)
			assert.InDelta(t, 631.3258640849056, r.RPS.V, 1e-12)
		})
	}
}

func TestLocustVariants(t *testing.T) {
	t.Run("Locust < 1.0 names", func(t *testing.T) {
		in := `"Method","Name","# requests","# failures","Median response time","Average response time","Min response time","Max response time","Average Content Size","Requests/s"` + "\n" +
			`"GET","/","10","1","120","130","100","400","12","5.0"` + "\n" +
			`"None","Total","10","1","120","130","100","400","12","5.0"` + "\n"
		r, err := parseString(in, Options{})
		require.NoError(t, err)
		assert.Equal(t, 10.0, r.Requests.V)
		assert.Equal(t, 0.12, r.Latency[P50].V)
		assert.Equal(t, 0.4, r.Latency[Max].V)
		assert.False(t, r.Latency[P95].OK)
		assert.Equal(t, 0.1, r.ErrorRatio.V)
	})
	t.Run("custom type and float percentiles", func(t *testing.T) {
		in := "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n" +
			"grpc,Say,4,0,380.0,1,1,390.2,1,2,0,380.0,1,1,1,380.0,380.0,1,390.0,1,1,390.0\n" +
			",Aggregated,4,0,380.0,1,1,390.2,1,2,0,380.0,1,1,1,380.0,380.0,1,390.0,1,1,390.0\n"
		r, err := parseString(in, Options{Format: "locust"})
		require.NoError(t, err)
		assert.Equal(t, 0.38, r.Latency[P95].V)
		assert.Equal(t, 0.3902, r.Latency[Max].V)
	})
	t.Run("history with N/A only", func(t *testing.T) {
		in := "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%,99%,100%,Total Request Count,Total Failure Count,Total Max Response Time\n" +
			"1700000000,0,,Aggregated,0,0,N/A,N/A,N/A,N/A,0,0,0\n"
		r, err := parseString(in, Options{})
		require.NoError(t, err)
		assert.False(t, r.Latency[P95].OK)
		assert.Equal(t, 0.0, r.Requests.V)
		assert.False(t, r.ErrorRatio.OK, "no requests: no ratio")
		assert.False(t, r.Duration.OK, "one row spans no time: duration unknown, not 0")
	})
	t.Run("failures with commas in quotes", func(t *testing.T) {
		r, err := parseString("Method,Name,Error,Occurrences\nGET,/a,\"x, y, \"\"z\"\"\",3\nPOST,/b,boom,4\n", Options{})
		require.NoError(t, err)
		assert.Equal(t, 7.0, r.Failed.V)
		_, err = parseString("Method,Name,Error,Occurrences\nGET,/a,x,many\n", Options{})
		assert.ErrorContains(t, err, "Occurrences")
	})
	t.Run("exceptions with multi-line tracebacks", func(t *testing.T) {
		r, err := parseString("Count,Message,Traceback,Nodes\n2,boom,\"Traceback:\n  File x\n  line 3\",local\n", Options{})
		require.NoError(t, err)
		assert.Equal(t, locustExceptions, r.Part)
	})
	t.Run("history bad timestamp", func(t *testing.T) {
		_, err := parseString("Timestamp,User Count,Type,Name\nyesterday,3,,Aggregated\n", Options{})
		assert.ErrorContains(t, err, "Unix time")
	})
}

// TestEdgeCases: files that are not results fail with a clear error and
// never panic.
func TestEdgeCases(t *testing.T) {
	huge := "timeStamp,elapsed,label\n1700000000000,1," + strings.Repeat("x", 2*maxLine) + "\n"
	for name, c := range map[string]struct {
		in   string
		o    Options
		want string
	}{
		"empty":                {"", Options{}, "empty file"},
		"blank":                {" \n\r\n\t", Options{}, "empty file"},
		"empty jmeter":         {"", Options{Format: "jmeter"}, "empty file"},
		"jmeter header only":   {jtlHeader, Options{}, "no samples"},
		"jmeter header no LF":  {strings.TrimSpace(jtlHeader), Options{}, "no samples"},
		"locust header only":   {"Type,Name,Request Count,Failure Count\r\n", Options{}, "no Aggregated row"},
		"locust no Aggregated": {"Type,Name,Request Count,Failure Count\nGET,/,3,0\n", Options{}, "no Aggregated row"},
		"history header only":  {"Timestamp,User Count,Type,Name\r\r\n", Options{}, "no Aggregated rows"},
		"truncated k6":         {`{"metrics":{"http_reqs":{"count":1`, Options{}, "truncated"},
		"truncated gatling":    {`{"numberOfRequests":{"total":`, Options{Format: "gatling"}, "truncated"},
		"JSON array":           {`[1,2,3]`, Options{}, "JSON"},
		"other JSON":           {`{"hello":"world"}`, Options{}, "without k6 metrics"},
		"binary junk":          {"\x00\x01\x02\xff\xfePK\x03\x04", Options{}, "binary"},
		"binary jmeter":        {"\x1f\x8b\x08\x00\x00\x00", Options{Format: "jmeter"}, "binary"},
		"unknown CSV":          {"a,b,c\n1,2,3\n", Options{}, "neither JSON"},
		"huge line":            {huge, Options{}, "longer than"},
		"huge line no newline": {"Type,Name,Request Count," + strings.Repeat("y", 2*maxLine), Options{Format: "locust"}, "longer than"},
		"deep JSON":            {`{"options":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `,"metrics":{}}`, Options{}, "nested deeper than 64"},
		"deep k6 groups":       {`{"metrics":{},"root_group":` + strings.Repeat(`{"groups":[`, 100) + strings.Repeat(`]}`, 100) + `}`, Options{}, "nested deeper than 64"},
		"deep gatling stats":   {`{"stats":{"contents":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}}`, Options{}, "nested deeper than 64"},
		"metric not an object": {`{"metrics":{"http_reqs":"many"}}`, Options{}, `metric "http_reqs"`},
		"groups not a list":    {`{"metrics":{},"root_group":{"groups":7}}`, Options{}, "neither an array nor an object"},
		"object key missing":   {`{"metrics":{"a":{}},}`, Options{}, "JSON"},
		"html report":          {"<!DOCTYPE html><html></html>", Options{}, "neither JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseString(c.in, c.o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	// Text after the JSON document is not read: the document's figures stand.
	r, err := parseString(`{"numberOfRequests":{"total":1}} trailing`, Options{})
	require.NoError(t, err)
	assert.Equal(t, "gatling", r.Format)
	assert.Equal(t, some(1), r.Requests)
}

// TestTestdata reads the hand-made fixtures (no load-test tool could be
// installed here to generate real ones); figures worked out by hand.
func TestTestdata(t *testing.T) {
	cases := map[string]want{
		"k6-handlesummary-p99-groups.json": {
			format: "k6", p50: 0.098, p90: 0.24, p95: 0.3775, p99: 0.91, mx: 1.48025,
			requests: 30000, failed: 300, errorRatio: 0.01, rps: 99.99583, vus: 120, duration: 300.0125,
			thresholdsOK: 2, thrFail: 1, checksOK: 40 + 100 + 98, checksFail: 2 + 3,
		},
		"jmeter-headerless.jtl": {
			// sorted elapsed 40,120,380,1000: p50 at position 2.5.
			format: "jmeter", p50: 0.25, p90: 1, p95: 1, p99: 1, mx: 1,
			requests: 4, failed: 1, errorRatio: 0.25, rps: 4 / 1.1, vus: 12, duration: 1.1,
			time: time.UnixMilli(1700000001100),
		},
		"jmeter-reordered-quoted-crlf.jtl": {
			format: "jmeter", p50: 0.25, p90: 0.35, p95: 0.35, p99: 0.35, mx: 0.35,
			requests: 3, failed: 1, errorRatio: 1.0 / 3, rps: 3 / 2.35, vus: 100, duration: 2.35,
			time: time.UnixMilli(1700000002350),
		},
		"gatling-stats-js-strings.json": {
			format: "gatling", p50: 0.18, p95: 0.42, p99: 0.99, mx: 60.001,
			requests: 1200, failed: 12, errorRatio: 0.01, rps: 20, duration: 60, derived: true,
			absent: []string{"p90", "vus"},
		},
		"locust-0.13_stats.csv": {
			format: "locust", p50: 0.13, mx: 2.1, requests: 1000, failed: 10, errorRatio: 0.01, rps: 16.67,
			duration: 1000 / 16.67, derived: true, absent: []string{"p90", "p95", "p99", "vus"},
		},
	}
	entries, err := os.ReadDir("testdata")
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		w, ok := cases[e.Name()]
		require.True(t, ok, "testdata/%s has no expected figures in this test", e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			r, err := parseFile(t, filepath.Join("testdata", e.Name()), Options{})
			require.NoError(t, err)
			checkWant(t, r, w)
		})
	}
}

// TestHistogramPercentiles compares the histogram's percentiles with the
// same estimator over a sorted slice, on random samples some of which are
// past the histogram's cap.
func TestHistogramPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for _, n := range []int{1, 2, 3, 10, 101, 5000} {
		var h msHistogram
		vals := make([]int64, n)
		for i := range vals {
			v := int64(rng.ExpFloat64() * 300)
			if rng.IntN(50) == 0 {
				v = histCap + int64(rng.IntN(1000))
			}
			vals[i] = v
			require.NoError(t, h.add(v))
		}
		slices.Sort(vals)
		ref := func(p float64) float64 {
			pos := p * float64(n+1) / 100
			if pos < 1 {
				return float64(vals[0])
			}
			if pos >= float64(n) {
				return float64(vals[n-1])
			}
			fl := int(pos)
			return float64(vals[fl-1]) + (pos-float64(fl))*float64(vals[fl]-vals[fl-1])
		}
		got := h.percentiles(50, 90, 95, 99)
		for i, p := range []float64{50, 90, 95, 99} {
			assert.InDelta(t, ref(p), got[i], 1e-9, "n=%d p=%v", n, p)
		}
	}
}
