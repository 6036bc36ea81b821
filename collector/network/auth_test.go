package network

import (
	"net/http"
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
)

// An endpoint that refuses the credentials (401, 403) fails with reason
// auth in every HTTP kind, as docs/core.md's reason table says: not
// unexpected_status, not condition_failed.
func TestRefusedCredentialsAreAuthInEveryHTTPKind(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		s := serve(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) })
		for _, tc := range []struct{ kind, settings, extra string }{
			{kind: "http", settings: "url: " + s.URL + "/health\nhealth: true"},
			{kind: "http_endpoints", settings: "base_url: " + s.URL + "\nendpoints:\n  - {name: health, url: /health}\n  - {name: students, url: /api/v1/students}"},
			{kind: "https_redirect", settings: "url: " + s.URL + "/"},
			{kind: "cors", settings: "url: " + s.URL + "/api/students\norigin: https://sms.example.edu"},
			{"rate_limit", "url: " + s.URL + "/login\nmax_requests: 5\nconcurrency: 1", "    interval: 1h\n"},
		} {
			res := runOne(t, tc.kind, tc.settings, tc.extra)
			assert.Equal(t, collector.StatusFail, res.Status, "%s %d: %s", tc.kind, code, res.Message)
			assert.Equal(t, collector.ReasonAuth, res.Reason, "%s %d: %s", tc.kind, code, res.Message)
		}
	}
}
