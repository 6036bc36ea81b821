package network

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
)

func addCorpus(f *testing.F, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			f.Add(b)
		}
	}
}

// FuzzHealth feeds arbitrary answers to the JSON reader and the health
// evaluator: they must never panic, and the counts must add up.
func FuzzHealth(f *testing.F) {
	addCorpus(f, testutil.Corpus(f, "health"))
	f.Add([]byte(healthyJSON))
	f.Add([]byte(`{"status":"pass","checks":{"a":[{"status":"warn"}],"b":{"status":{"x":1},"components":{"c":"down"}}}}`))
	f.Add([]byte(`<!doctype html><html></html>`))
	h := loadConfig(f, "  - name: h\n    http:\n      url: http://127.0.0.1:1/\n      health: true\n").Checks[0].HTTP.Health
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := parseJSON(data, "")
		if err != nil {
			return
		}
		res, err := evaluateHealth(doc, h)
		if err != nil {
			return
		}
		if n := res.Counts[0] + res.Counts[1] + res.Counts[2]; n != len(res.Components) {
			t.Fatalf("counts %v do not add up to %d components", res.Counts, len(res.Components))
		}
		for _, c := range res.Components {
			if len(c.Name) > maxComponentNameLen || !utf8.ValidString(c.Name) {
				t.Fatalf("component name longer than %d bytes or not valid UTF-8 (it becomes a label): %q", maxComponentNameLen, c.Name)
			}
		}
		for _, jc := range []string{"status", "checks.a[0].status", `["a.b"]`, "[3]"} {
			steps, err := config.ParseJSONPath(jc)
			if err != nil {
				t.Fatal(err)
			}
			lookupPath(doc, steps)
		}
	})
}

// FuzzReadCertificates feeds arbitrary files to the certificate reader.
func FuzzReadCertificates(f *testing.F) {
	addCorpus(f, testutil.Corpus(f, "certs"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, errs := readCertificates(data, 5)
		if len(certs) > 5 {
			t.Fatalf("%d certificates beyond the limit", len(certs))
		}
		if len(certs) == 0 && len(errs) == 0 {
			t.Fatal("no certificate and no error")
		}
	})
}

// FuzzSecurityHeaders feeds arbitrary header values to the judges.
func FuzzSecurityHeaders(f *testing.F) {
	f.Add("max-age=31536000; includeSubDomains", "DENY", "default-src 'self'; frame-ancestors 'none'", "no-referrer, unsafe-url")
	f.Add("max-age=-1", "", "frame-ancestors", ",,,")
	f.Fuzz(func(t *testing.T, hsts, xfo, csp, rp string) {
		checkHSTS([]string{hsts}, 0)
		checkFrameOptions(xfo, []string{csp})
		checkReferrerPolicy([]string{rp})
	})
}
