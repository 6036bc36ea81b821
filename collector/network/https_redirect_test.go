package network

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
)

func TestHTTPSRedirect(t *testing.T) {
	t.Parallel()
	redirectTo := func(code int, target string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if target != "" {
				w.Header().Set("Location", target)
			}
			w.WriteHeader(code)
		}
	}
	cases := []struct {
		name     string
		handler  func(host string) http.HandlerFunc
		settings string
		status   collector.Status
		ok       float64
	}{
		{"301 to https same host", func(h string) http.HandlerFunc { return redirectTo(301, "https://"+h+"/login?next=1") }, "", collector.StatusPass, 1},
		{"308 to https with port", func(h string) http.HandlerFunc { return redirectTo(308, "https://"+h+":8443/") }, "", collector.StatusPass, 1},
		{"relative redirect stays http", func(string) http.HandlerFunc { return redirectTo(302, "/secure") }, "", collector.StatusFail, 0},
		{"to another host", func(string) http.HandlerFunc { return redirectTo(301, "https://evil.example/") }, "", collector.StatusFail, 0},
		{"to another host that is configured", func(string) http.HandlerFunc { return redirectTo(301, "https://www.example.com/") }, "host: www.example.com", collector.StatusPass, 1},
		{"to plain http", func(h string) http.HandlerFunc { return redirectTo(301, "http://"+h+"/") }, "", collector.StatusFail, 0},
		{"no redirect", func(string) http.HandlerFunc { return redirectTo(200, "") }, "", collector.StatusFail, 0},
		{"code not accepted", func(h string) http.HandlerFunc { return redirectTo(302, "https://"+h+"/") }, "valid_status_codes: [301, 308]", collector.StatusFail, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var host string
			s := serve(t, func(w http.ResponseWriter, r *http.Request) { tc.handler(host)(w, r) })
			u, _ := url.Parse(s.URL)
			host = u.Hostname()
			res := runOne(t, "https_redirect", "url: "+s.URL+"/\n"+tc.settings)
			assert.Equal(t, tc.status, res.Status, res.Message)
			assert.Equal(t, tc.ok, mustValue(t, res, "golive_https_redirect_ok"))
		})
	}
}
