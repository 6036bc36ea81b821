package loadtest

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// seed adds every corpus and testdata file to f.
func seed(f *testing.F) {
	for _, dir := range []string{corpusDir(f), "testdata"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(""))
	f.Add([]byte("timeStamp,elapsed,success\n1,2,true\n"))
	f.Add([]byte("Timestamp,User Count,Type,Name\r\r\n1,2,,Aggregated\r\r\n"))
}

// checkInvariants: whatever the input, a result has no negative counts and
// no NaN or infinite figure marked present.
func checkInvariants(t *testing.T, r *Result) {
	for _, v := range append(r.Latency[:], r.Requests, r.Failed, r.ErrorRatio, r.RPS, r.VUs, r.Duration) {
		if v.OK && (v.V != v.V || v.V > 1e308 || v.V < -1e308) {
			t.Fatalf("non-finite figure %v in %+v", v.V, r)
		}
	}
	for _, v := range []Value{r.Requests, r.Failed, r.Duration, r.VUs} {
		if r.Format == "jmeter" && v.OK && v.V < 0 {
			t.Fatalf("negative JMeter figure %v in %+v", v.V, r)
		}
	}
	if r.ThresholdsPassed < 0 || r.ThresholdsFailed < 0 {
		t.Fatalf("negative threshold counts: %+v", r)
	}
}

// FuzzParse feeds arbitrary bytes to the recogniser and every parser.
func FuzzParse(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []string{"auto", "k6", "k6_legacy", "locust", "jmeter", "gatling"} {
			r, err := Parse(bytes.NewReader(data), Options{Format: format})
			if err != nil {
				if r != nil {
					t.Fatalf("%s: result and error together", format)
				}
				continue
			}
			checkInvariants(t, r)
		}
	})
}

// FuzzLocustMerge merges parsed Locust parts, as the check does.
func FuzzLocustMerge(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseLocust(bytes.NewReader(data))
		if err != nil {
			return
		}
		checkInvariants(t, mergeLocust([]*Result{r, r}))
	})
}

// FuzzJMeter drives the JTL parser directly, past the recogniser.
func FuzzJMeter(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseJMeter(bytes.NewReader(data), regexp.MustCompile("^x$"))
		if err != nil {
			return
		}
		checkInvariants(t, r)
		if r.Latency[P50].V > r.Latency[Max].V || r.Latency[P99].V > r.Latency[Max].V {
			t.Fatalf("percentile above the maximum: %+v", r.Latency)
		}
	})
}
