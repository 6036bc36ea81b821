package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A sentinel password of the network kinds (inline, and from a file) is
// never shown: not on /metrics, the config endpoints, the status API, the
// board, the debug log, nor in the check command's output, whether the
// target accepts it, refuses it or cannot be reached. /config shows
// <secret> in its place.
func TestNetworkSecretsNeverShown(t *testing.T) {
	const sentinel = "S3ntinel-http-9b7c"
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "probe" || p != sentinel {
			w.Header().Set("WWW-Authenticate", `Basic realm="app"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"ok"}`)
	}))
	defer app.Close()
	down := testutil.FreeAddr(t)

	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(sentinel+"\n"), 0o600))
	cfg := filepath.Join(dir, "golive.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`checks:
  - name: accepted
    http: {url: %[1]q, health: true, basic_auth: {username: probe, password: %[2]q}}
  - name: refused
    http: {url: %[1]q, health: true, basic_auth: {username: other, password: %[2]q}}
  - name: unreachable
    http: {url: "http://%[3]s/health", authorization: {credentials_file: %[4]q}}
  - name: cors_unreachable
    cors: {url: "http://%[3]s/api", origin: "https://app.example.com", basic_auth: {username: probe, password: %[2]q}}
`, app.URL+"/health", sentinel, down, tokenFile)), 0o600))

	e := startExporter(t, "--config.file", cfg, "--log.level", "debug")
	metrics := e.get(t, "/metrics")
	assert.Contains(t, metrics, `golive_check_success{check="accepted",kind="http"} 1`, "the inline password is sent")
	assert.Contains(t, metrics, `golive_check_failure_reason{check="refused",kind="http",reason="auth"} 1`, "a refused login is auth in every kind")
	assert.Contains(t, metrics, `golive_check_failure_reason{check="unreachable",kind="http",reason="connection_refused"} 1`)
	config := e.get(t, "/config")
	assert.Contains(t, config, "password: <secret>")
	assert.Contains(t, config, "credentials_file: "+tokenFile, "a file's path is no secret; its content is")
	pages := secretSurfaces(t, e, cfg, map[string]string{"/metrics": metrics, "/config": config})
	assert.Contains(t, pages["log"], "level=DEBUG", "the debug log was written")
	for where, text := range pages {
		assert.False(t, strings.Contains(text, sentinel), "the sentinel secret shows in %s", where)
	}
}

// Secrets inside URLs: a token in a probed URL's query string, in an OAuth2
// token_url's query string and in OAuth2 endpoint_params values are shown
// as <secret> on /config, and appear on no page, log or check output.
func TestURLSecretsNeverShown(t *testing.T) {
	const (
		queryToken  = "S3ntinel-query-4d1e"
		tokenURLKey = "S3ntinel-tokenurl-7a2f"
		paramSecret = "S3ntinel-param-90cb"
	)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") != queryToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"ok"}`)
	}))
	defer app.Close()
	down := testutil.FreeAddr(t)

	dir := t.TempDir()
	cfg := filepath.Join(dir, "golive.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`checks:
  - name: token_in_query
    http: {url: "%[1]s/health?token=%[2]s&format=json", health: true}
  - name: token_in_query_down
    http: {url: "http://%[5]s/health?token=%[2]s"}
  - name: oauth_api
    http:
      url: %[1]s/health
      oauth2:
        client_id: golive
        client_secret: not-the-sentinel
        token_url: "http://%[5]s/oauth/token?api_key=%[3]s"
        endpoint_params: {audience: %[4]s}
`, app.URL, queryToken, tokenURLKey, paramSecret, down)), 0o600))

	e := startExporter(t, "--config.file", cfg, "--log.level", "debug")
	metrics := e.get(t, "/metrics")
	assert.Contains(t, metrics, `golive_check_success{check="token_in_query",kind="http"} 1`, "the token is sent")
	config := e.get(t, "/config")
	assert.Contains(t, config, "/health?token=<secret>&format=<secret>")
	assert.Contains(t, config, "/oauth/token?api_key=<secret>")
	assert.Contains(t, config, "audience: <secret>")
	pages := secretSurfaces(t, e, cfg, map[string]string{"/metrics": metrics, "/config": config})
	for where, text := range pages {
		for _, sentinel := range []string{queryToken, tokenURLKey, paramSecret} {
			assert.False(t, strings.Contains(text, sentinel), "the sentinel %s shows in %s", sentinel, where)
		}
	}
}

// secretSurfaces gathers every text a secret of the configuration cfg could
// show in, by name: the pages already fetched, the exporter e's other pages
// and, once it is stopped, its debug log, and the check command's output
// (stdout and stderr) in each format.
func secretSurfaces(t *testing.T, e *exporter, cfg string, pages map[string]string) map[string]string {
	t.Helper()
	for _, path := range []string{"/api/v1/config", "/api/v1/status", "/", "/?failing=1"} {
		pages[path] = e.get(t, path)
	}
	e.stop(t)
	pages["log"] = e.logs.String()
	for _, format := range []string{"table", "json", "markdown"} {
		// The debug log and the progress lines share stderr from several
		// goroutines, as they share os.Stderr in a real run.
		var out bytes.Buffer
		errOut := &syncBuffer{}
		code := run([]string{"--config.file", cfg, "--log.level", "debug", "check", "--output", format}, &out, errOut)
		assert.Contains(t, []int{exitOK, exitNotReady}, code, errOut.String())
		pages["check "+format] = out.String() + errOut.String()
	}
	return pages
}
