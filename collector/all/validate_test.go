package all

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/golive/golive_exporter/config"
)

// sideEffects is a configuration whose settings Validate used to rewrite:
// lower-case methods and security headers, regular expressions compiled
// and stored, relative paths made absolute, a time relative to go_live,
// endpoints joined to their base_url, firewall entries made host:port and
// a connect timeout from the check's timeout, an authorization's type; and
// a check of each kind the deploy examples do not use, so that every
// registered kind is validated.
const sideEffects = `checklist: {go_live: 2026-12-01T08:00:00Z}
checks:
  - name: web
    http:
      url: https://app.example.edu/health
      method: post
      body_matches: ['"status":\s*"ok"']
      json: [{path: status, matches: '^(ok|up)$'}]
      security_headers: [Strict-Transport-Security, X-Frame-Options]
      tls_config: {ca_file: certs/ca.pem}
  - name: cors
    cors: {url: https://api.example.edu/, origin: https://app.example.edu, method: put, authorization: {credentials: s3cret}}
  - name: certs
    tls: {files: [certs/*.pem], ca_file: certs/ca.pem}
  - name: logs
    log_rotation: {files: [logs/*.log], max_age: 1d}
  - name: redirect
    https_redirect: {url: http://app.example.edu/}
  - name: week
    promql: {url: http://prometheus:9090, query: up, min: 1, at: go_live+7d}
  - name: api
    http_endpoints:
      base_url: https://api.example.edu/
      headers: {Accept: application/json}
      endpoints:
        - {name: health, url: /health, method: get, health: true}
        - {name: login, url: https://sso.example.edu/login, headers: {accept: text/html}}
  - name: ports
    firewall: {host: db.example.edu, open: ["443"], closed: [5432, "cache.example.edu:6379"]}
  - name: db_port
    tcp: {address: db.example.edu:5432, expect: closed}
  - name: promtail
    service_ready: {url: http://promtail:9080, preset: promtail}
  - name: pgbackrest
    pgbackrest: {file: backups/pgbackrest-info.json, stanza: main, max_age: 26h, min_retention: 30d}
  - name: walg
    walg: {file: backups/walg.json, wal_verify: true, wal_verify_file: backups/walg-verify.json, max_age: 26h}
  - name: barman
    barman: {file: backups/barman.json, check: true, check_file: backups/barman-check.json, max_age: 26h}
  - name: drill
    restore_result: {file: drill/result.json, max_age: 8d, max_size: 64MiB}
`

// TestValidateChangesNothing: a kind's settings after their defaults and
// Resolve are what Validate sees, and Validate leaves them as they were:
// it only reports (item 7 of issue 13). The settings are decoded from the
// file as the loader does, without validating them first, so that a
// rewrite Validate would make (an upper-cased method, a resolved path) is
// seen even when making it again would change nothing. Every registered
// kind is validated (a new kind fails here until sideEffects or a deploy
// example has a check of it).
func TestValidateChangesNothing(t *testing.T) {
	dir := t.TempDir()
	own := filepath.Join(dir, "golive.yml")
	require.NoError(t, os.WriteFile(own, []byte(sideEffects), 0o600))
	files, err := filepath.Glob(filepath.Join("..", "..", "deploy", "examples", "*", "golive.yml"))
	require.NoError(t, err)
	files = append(files, own)
	seen := map[string]bool{}
	for _, file := range files {
		cfg, err := config.LoadFile(file)
		require.NoError(t, err, file)
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		var root yaml.Node
		require.NoError(t, yaml.Unmarshal(data, &root))
		checks := value(root.Content[0], "checks")
		require.NotNil(t, checks, file)
		for i, ch := range cfg.Checks {
			kind := ch.Kind()
			seen[kind] = true
			decode := func() config.Kind {
				spec := reflect.New(config.KindType(kind).Elem()).Interface().(config.Kind)
				require.NoError(t, value(checks.Content[i], kind).Decode(spec), "%s: %s", file, ch.Name)
				if d, ok := spec.(config.Defaulter); ok {
					d.SetDefaults()
				}
				if r, ok := spec.(config.Resolver); ok {
					r.Resolve(cfg)
				}
				return spec
			}
			// twin is decoded as spec is and not validated: what is
			// behind a pointer (an endpoint of a list) is compared too.
			spec, twin := decode(), decode()
			before, beforeAll := snapshot(t, spec)
			p := config.NewProblems(cfg)
			spec.Validate(fmt.Sprintf("checks[%d].%s", i, kind), p)
			require.NoError(t, p.Err(), "%s: %s", file, ch.Name)
			after, afterAll := snapshot(t, spec)
			assert.Equal(t, before, after, "%s: validating %s (%s) changed its settings", file, ch.Name, kind)
			assert.Equal(t, beforeAll, afterAll, "%s: validating %s (%s) changed its settings", file, ch.Name, kind)
			assert.Equal(t, twin, spec, "%s: validating %s (%s) changed its settings", file, ch.Name, kind)
			assert.Equal(t, after, mustMarshal(t, ch.Spec()), "%s: %s loads to the settings Validate saw", file, ch.Name)
		}
	}
	for _, k := range config.Kinds() {
		assert.True(t, seen[k], "no %s check was validated: add one to sideEffects", k)
	}
}

// snapshot is the settings as /config writes them, and with every field
// (unexported ones included, pointers as addresses: a regexp compiled
// again is a new one).
func snapshot(t *testing.T, spec any) (string, string) {
	return mustMarshal(t, spec), fmt.Sprintf("%+v", spec)
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func value(n *yaml.Node, key string) *yaml.Node {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
