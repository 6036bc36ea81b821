package network

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
)

const prodOrigin = "https://app.example.com"

// corsServer answers with the CORS headers policy gives for an origin.
func corsServer(t *testing.T, policy func(origin string, h http.Header)) string {
	return serve(t, func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			policy(o, w.Header())
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		io.WriteString(w, `{"ok":true}`)
	}).URL
}

func TestCORS(t *testing.T) {
	t.Parallel()
	strict := func(o string, h http.Header) {
		if o == prodOrigin {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Add("Vary", "Origin")
		}
	}
	cases := []struct {
		name     string
		policy   func(string, http.Header)
		settings string
		status   collector.Status
		metric   string
		labels   []string
		value    float64
	}{
		{"strict policy", strict, "method: PUT\nrequest_headers: [Authorization, Content-Type]", collector.StatusPass, "golive_cors_preflight_allowed", nil, 1},
		{"echoes any origin", func(o string, h http.Header) {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Allow-Credentials", "true")
		}, "", collector.StatusFail, "golive_cors_foreign_origin_allowed", []string{"preflight"}, 1},
		{"echoes only on GET", func(o string, h http.Header) {
			strict(o, h)
			h.Set("Access-Control-Allow-Origin", o)
		}, "", collector.StatusFail, "golive_cors_foreign_origin_allowed", []string{"get"}, 1},
		{"wildcard with credentials", func(o string, h http.Header) {
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Credentials", "true")
		}, "", collector.StatusFail, "golive_cors_wildcard_with_credentials", nil, 1},
		{"wildcard without credentials is a public API", func(o string, h http.Header) {
			h.Set("Access-Control-Allow-Origin", "*")
		}, "", collector.StatusPass, "golive_cors_wildcard_with_credentials", nil, 0},
		{"no CORS at all", func(string, http.Header) {}, "", collector.StatusFail, "golive_cors_preflight_allowed", nil, 0},
		{"method not allowed", strict, "method: PATCH", collector.StatusFail, "golive_cors_preflight_allowed", nil, 0},
		{"header not allowed", strict, "request_headers: [X-Custom]", collector.StatusFail, "golive_cors_preflight_allowed", nil, 0},
		{"null origin allowed", func(o string, h http.Header) {
			strict(o, h)
			if o != prodOrigin {
				h.Set("Access-Control-Allow-Origin", "null")
			}
		}, "", collector.StatusFail, "golive_cors_foreign_origin_allowed", []string{"preflight"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := corsServer(t, tc.policy)
			res := runOne(t, "cors", "url: "+u+"/api/students\norigin: "+prodOrigin+"\n"+tc.settings)
			assert.Equal(t, tc.status, res.Status, res.Message)
			if tc.status == collector.StatusFail {
				assert.Equal(t, collector.ReasonConditionFailed, res.Reason)
			}
			assert.Equal(t, tc.value, mustValue(t, res, tc.metric, tc.labels...))
		})
	}
}

func TestCORSForeignOriginSent(t *testing.T) {
	t.Parallel()
	var origins []string
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		origins = append(origins, r.Method+" "+r.Header.Get("Origin")+" "+r.Header.Get("Access-Control-Request-Method"))
		w.WriteHeader(204)
	}).URL
	runOne(t, "cors", "url: "+u+"\norigin: "+prodOrigin+"\nforeign_origin: https://evil.example\nmethod: delete")
	assert.Equal(t, "OPTIONS https://app.example.com DELETE|OPTIONS https://evil.example DELETE|GET https://evil.example ", strings.Join(origins, "|"))
}
