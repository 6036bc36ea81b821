package network

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

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
// evaluator: they must never panic, the components kept must be few,
// unique, sorted and valid label values, and the JSON view must read
// every document the way encoding/json does.
func FuzzHealth(f *testing.F) {
	addCorpus(f, testutil.Corpus(f, "health"))
	addCorpus(f, filepath.Join("testdata", "health"))
	f.Add([]byte(healthyJSON))
	f.Add([]byte(`{"status":"pass","checks":{"a":[{"status":"warn"}],"b":{"status":{"x":1},"components":{"c":"down"}}}}`))
	f.Add([]byte(`{"status":"UP","details":{"a":{"status":"DOWN","details":{"b":{"status":"DOWN"}}}},"a.b":"up"}`))
	f.Add([]byte(`{"success":false,"error":{"code":"HTTP_503","details":{"status":"unhealthy","checks":{"db":"down"}}}}`))
	f.Add([]byte(`{"a\u002eb":"ok","\ud83d\ude00":["\"",-1.5e3,true,null],"\u00e9":{"k":"\ufffd\xff"}}`))
	f.Add([]byte(`<!doctype html><html></html>`))
	h := loadConfig(f, "  - name: h\n    http:\n      url: http://127.0.0.1:1/\n      health:\n        max_components: 3\n        ignore_components: [a]\n        warn_components: [b, \"c.d\"]\n").Checks[0].Spec().(*HTTPCheck).Health
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := parseJSON(data, "")
		if err != nil {
			if json.Valid(data) {
				t.Fatalf("valid JSON refused: %v", err)
			}
			return
		}
		var tree any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&tree); err != nil {
			t.Fatalf("parseJSON accepted what encoding/json refuses: %v", err)
		}
		sameAsTree(t, doc, tree, 0)
		res, err := evaluateHealth(doc, h)
		if err != nil {
			return
		}
		if res.Judged[0]+res.Judged[1]+res.Judged[2]+res.Ignored != res.Total() {
			t.Fatalf("judged %v and %d ignored do not add up to %d components", res.Judged, res.Ignored, res.Total())
		}
		if len(res.Failed) > res.Judged[stateFailed] || len(res.Warning) > res.Judged[stateWarning] {
			t.Fatalf("%d failing and %d warning named, %v judged", len(res.Failed), len(res.Warning), res.Judged)
		}
		if len(res.Components) > h.MaxComponents || len(res.Components) > res.Total() {
			t.Fatalf("%d components kept of %d found, max %d", len(res.Components), res.Total(), h.MaxComponents)
		}
		for i, c := range res.Components {
			if len(c.Name) > maxComponentNameLen || !utf8.ValidString(c.Name) {
				t.Fatalf("component name longer than %d bytes or not valid UTF-8 (it becomes a label): %q", maxComponentNameLen, c.Name)
			}
			if i > 0 && res.Components[i-1].Name >= c.Name {
				t.Fatalf("components not sorted or not unique: %q then %q", res.Components[i-1].Name, c.Name)
			}
		}
		for _, jc := range []string{"status", "checks.a[0].status", `["a.b"]`, "[3]"} {
			steps, err := ParseJSONPath(jc)
			if err != nil {
				t.Fatal(err)
			}
			lookupPath(doc, steps)
		}
	})
}

// sameAsTree holds the JSON view to encoding/json's reading of the same
// document: kinds, strings, members (last duplicate wins) and elements.
func sameAsTree(t *testing.T, v jsonValue, tree any, depth int) {
	t.Helper()
	if depth > 50 {
		return
	}
	switch x := tree.(type) {
	case map[string]any:
		if !v.isObject() {
			t.Fatalf("%q read as %s, encoding/json has an object", v, v.kind())
		}
		last := map[string]jsonValue{}
		v.members(func(k, val jsonValue) bool {
			last[k.str()] = val
			return true
		})
		if len(last) != len(x) {
			t.Fatalf("%q: %d distinct keys, encoding/json has %d", v, len(last), len(x))
		}
		for k, sub := range x {
			got, ok := last[k]
			if !ok {
				t.Fatalf("%q: no member %q", v, k)
			}
			if len(x) < 20 {
				if g, ok := v.get(k); !ok || !bytes.Equal(g, got) {
					t.Fatalf("%q: get(%q) is not the last member of that name", v, k)
				}
			}
			sameAsTree(t, got, sub, depth+1)
		}
	case []any:
		n := 0
		v.elements(func(i int, e jsonValue) bool {
			if i < len(x) {
				sameAsTree(t, e, x[i], depth+1)
			}
			n++
			return true
		})
		if n != len(x) {
			t.Fatalf("%q: %d elements, encoding/json has %d", v, n, len(x))
		}
	case string:
		if !v.isString() || v.str() != x {
			t.Fatalf("%q read as %q, encoding/json has %q", v, v.str(), x)
		}
	case bool:
		if !v.isBool() || v.boolValue() != x {
			t.Fatalf("%q is not the boolean %v", v, x)
		}
	case nil:
		if !v.isNull() {
			t.Fatalf("%q is not null", v)
		}
	case json.Number:
		if !v.isNumber() || string(v) != x.String() {
			t.Fatalf("%q is not the number %s", v, x)
		}
	}
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
