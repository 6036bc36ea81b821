package pgtls

import (
	"crypto/tls"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
)

// The configurations these tests load need a check; noop is a kind of
// this test's own, so that nothing but the targets is exercised.
func init() {
	config.RegisterKind("noop", func() config.Kind { return new(noop) })
}

type noop struct{}

func (*noop) Validate(string, *config.Problems) {}

// load loads a configuration of the targets yml (in dir, whose files the
// targets name relative to it) and returns it with target "db".
func load(t *testing.T, dir, yml string) (*config.Config, *config.PostgresTarget) {
	t.Helper()
	cfg, err := config.Load([]byte("postgres_targets:\n"+yml+"\nchecks: [{name: n, noop: {}}]\n"), filepath.Join(dir, "golive.yml"))
	require.NoError(t, err)
	return cfg, cfg.PostgresTargets["db"]
}

// parsed returns pgx's configuration of target db with tls: applied.
func parsed(t *testing.T, cfg *config.Config, tg *config.PostgresTarget) *pgconn.Config {
	t.Helper()
	dsn, err := DSN(cfg, tg)
	require.NoError(t, err)
	cc, err := pgconn.ParseConfig(dsn)
	require.NoError(t, err)
	require.NoError(t, Apply(cfg, tg, cc))
	return cc
}

func TestDSN(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, target, want string }{
		{"tls verifies", `db: {dsn: "postgres://u@h/db", tls: {ca_file: ca.pem}}`, "postgres://u@h/db?sslmode=verify-full"},
		{"tls without verifying", `db: {dsn: "postgres://u@h/db", tls: {insecure_skip_verify: true}}`, "postgres://u@h/db?sslmode=require"},
		{"the dsn's verify-ca kept", `db: {dsn: "postgres://u@h/db?sslmode=verify-ca", tls: {ca_file: ca.pem}}`, "postgres://u@h/db?sslmode=verify-ca"},
		{"keyword form", `db: {dsn: "host=h user=u", tls: {}}`, "host=h user=u sslmode='verify-full'"},
		{"deprecated keys", `db: {dsn: "postgres://u@h/db?sslmode=disable", sslmode: verify-ca, sslrootcert: ca.pem, sslcert: c.pem, sslkey: c.key}`,
			"postgres://u@h/db?sslcert=" + url.QueryEscape(filepath.Join(dir, "c.pem")) + "&sslkey=" + url.QueryEscape(filepath.Join(dir, "c.key")) +
				"&sslmode=verify-ca&sslrootcert=" + url.QueryEscape(filepath.Join(dir, "ca.pem"))},
		{"nothing", `db: {dsn: "postgres://u@h/db?sslmode=prefer"}`, "postgres://u@h/db?sslmode=prefer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, tg := load(t, dir, "  "+tc.target)
			got, err := DSN(cfg, tg)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// Apply replaces pgx's TLS of every host with prometheus/common's, checked
// as the mode says, and leaves no plain attempt.
func TestApply(t *testing.T) {
	dir := t.TempDir()
	pki := testutil.WritePKI(t, dir, "golive")
	ca, cert, key := filepath.Base(pki.CA), filepath.Base(pki.ClientCert), filepath.Base(pki.ClientKey)

	t.Run("verify-full", func(t *testing.T) {
		cfg, tg := load(t, dir, `  db: {dsn: "host=db1.example,db2.example port=5432,5433 user=u", tls: {ca_file: `+ca+`, cert_file: `+cert+`, key_file: `+key+`, min_version: TLS13}}`)
		cc := parsed(t, cfg, tg)
		hosts := map[string]*tls.Config{cc.Host: cc.TLSConfig}
		for _, fb := range cc.Fallbacks {
			hosts[fb.Host] = fb.TLSConfig
		}
		require.Len(t, hosts, 2, "both hosts, no plain fallback")
		for host, c := range hosts {
			require.NotNil(t, c, host)
			assert.False(t, c.InsecureSkipVerify, host)
			assert.Equal(t, host, c.ServerName, "the name checked is the host's")
			assert.NotNil(t, c.RootCAs, host)
			assert.NotNil(t, c.GetClientCertificate, "the client certificate, read again on each handshake")
			assert.Equal(t, uint16(tls.VersionTLS13), c.MinVersion)
			assert.Nil(t, c.VerifyPeerCertificate)
		}
	})
	t.Run("server_name", func(t *testing.T) {
		cfg, tg := load(t, dir, `  db: {dsn: "postgres://u@10.0.0.5/db", tls: {ca_file: `+ca+`, server_name: db.example.com}}`)
		cc := parsed(t, cfg, tg)
		assert.Equal(t, "db.example.com", cc.TLSConfig.ServerName)
		assert.Equal(t, uint16(tls.VersionTLS12), cc.TLSConfig.MinVersion, "TLS 1.2 at least by default")
		assert.Empty(t, cc.Fallbacks)
	})
	t.Run("verify-ca", func(t *testing.T) {
		cfg, tg := load(t, dir, `  db: {dsn: "postgres://u@h/db?sslmode=verify-ca", tls: {ca_file: `+ca+`}}`)
		cc := parsed(t, cfg, tg)
		assert.True(t, cc.TLSConfig.InsecureSkipVerify, "no name check")
		assert.NotNil(t, cc.TLSConfig.VerifyPeerCertificate, "the chain is checked")
		assert.Error(t, cc.TLSConfig.VerifyPeerCertificate(nil, nil))
	})
	t.Run("require", func(t *testing.T) {
		cfg, tg := load(t, dir, `  db: {dsn: "postgres://u@h/db", tls: {insecure_skip_verify: true}}`)
		cc := parsed(t, cfg, tg)
		assert.True(t, cc.TLSConfig.InsecureSkipVerify)
		assert.Nil(t, cc.TLSConfig.VerifyPeerCertificate)
		assert.Empty(t, cc.Fallbacks, "no plain attempt")
	})
	t.Run("unix socket", func(t *testing.T) {
		cfg, tg := load(t, dir, `  db: {dsn: "host=/var/run/postgresql,db.example user=u", tls: {ca_file: `+ca+`}}`)
		cc := parsed(t, cfg, tg)
		assert.Nil(t, cc.TLSConfig, "no TLS over a Unix socket, as libpq")
		require.Len(t, cc.Fallbacks, 1)
		assert.Equal(t, "db.example", cc.Fallbacks[0].TLSConfig.ServerName)
	})
	t.Run("no tls", func(t *testing.T) {
		cfg, tg := load(t, dir, `  db: {dsn: "postgres://u@h/db?sslmode=prefer"}`)
		cc := parsed(t, cfg, tg)
		require.Len(t, cc.Fallbacks, 1, "pgx's prefer: TLS, then plain")
		assert.Nil(t, cc.Fallbacks[0].TLSConfig)
	})
	t.Run("missing file", func(t *testing.T) {
		cfg, tg := load(t, dir, `  db: {dsn: "postgres://u@h/db", tls: {ca_file: absent.pem}}`)
		dsn, err := DSN(cfg, tg)
		require.NoError(t, err)
		cc, err := pgconn.ParseConfig(dsn)
		require.NoError(t, err)
		err = Apply(cfg, tg, cc)
		require.Error(t, err)
		assert.Contains(t, err.Error(), filepath.Join(dir, "absent.pem"), "the file, relative to the configuration file")
	})
}

// Env gives the tools the same settings through libpq's variables, and
// refuses what libpq cannot read.
func TestEnv(t *testing.T) {
	dir := t.TempDir()
	abs := func(f string) string { return filepath.Join(dir, f) }
	for _, tc := range []struct {
		name, target, host string
		want               map[string]string
		err                string
	}{
		{"verify-full", `{dsn: "postgres://u@db.example/d", tls: {ca_file: ca.pem, cert_file: c.pem, key_file: c.key, min_version: TLS13, max_version: TLS13}}`, "db.example",
			map[string]string{"PGSSLMODE": "verify-full", "PGSSLROOTCERT": abs("ca.pem"), "PGSSLCERT": abs("c.pem"), "PGSSLKEY": abs("c.key"),
				"PGSSLMINPROTOCOLVERSION": "TLSv1.3", "PGSSLMAXPROTOCOLVERSION": "TLSv1.3"}, ""},
		{"verify-ca", `{dsn: "postgres://u@db.example/d?sslmode=verify-ca", tls: {ca_file: /etc/ca.pem}}`, "db.example",
			map[string]string{"PGSSLMODE": "verify-ca", "PGSSLROOTCERT": "/etc/ca.pem", "PGSSLMINPROTOCOLVERSION": "TLSv1.2"}, ""},
		{"require gives no root certificate", `{dsn: "postgres://u@db.example/d", tls: {ca_file: ca.pem, insecure_skip_verify: true}}`, "db.example",
			map[string]string{"PGSSLMODE": "require", "PGSSLMINPROTOCOLVERSION": "TLSv1.2"}, ""},
		{"server_name with an IP address", `{dsn: "postgres://u@10.0.0.5/d", tls: {ca_file: ca.pem, server_name: db.example}}`, "10.0.0.5",
			map[string]string{"PGSSLMODE": "verify-full", "PGSSLROOTCERT": abs("ca.pem"), "PGSSLMINPROTOCOLVERSION": "TLSv1.2", "PGHOST": "db.example", "PGHOSTADDR": "10.0.0.5"}, ""},
		{"server_name as the host", `{dsn: "postgres://u@db.example/d", tls: {ca_file: ca.pem, server_name: db.example}}`, "db.example",
			map[string]string{"PGSSLMODE": "verify-full", "PGSSLROOTCERT": abs("ca.pem"), "PGSSLMINPROTOCOLVERSION": "TLSv1.2"}, ""},
		{"server_name with a host name", `{dsn: "postgres://u@db1.internal/d", tls: {ca_file: ca.pem, server_name: db.example}}`, "db1.internal", nil,
			`postgres target db: tls: server_name "db.example" differs from the dsn's host "db1.internal"`},
		{"no ca_file", `{dsn: "postgres://u@db.example/d", tls: {}}`, "db.example", nil, "tls: has no ca_file"},
		{"inline ca", `{dsn: "postgres://u@db.example/d", tls: {ca: "-----BEGIN CERTIFICATE-----"}}`, "db.example", nil, "gives the ca inline or as a *_ref"},
		{"key_ref", `{dsn: "postgres://u@db.example/d", tls: {ca_file: ca.pem, cert_file: c.pem, key_ref: KEY}}`, "db.example", nil, "gives the key inline or as a *_ref, and pg_restore and psql read it from a file only; write key_file"},
		{"no tls", `{dsn: "postgres://u@db.example/d?sslmode=require"}`, "db.example", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, tg := load(t, dir, "  db: "+tc.target)
			env, err := Env(cfg, "db", tg, tc.host)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, env)
		})
	}
}
