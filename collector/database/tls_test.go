package database

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/internal/pgtls"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tlsCluster starts a cluster of the test's own that speaks TLS with a
// certificate of pki (for 127.0.0.1 and localhost) and takes only TLS
// connections over TCP, except the postgres role's (which start uses):
// golive_tls is trusted over TLS, certuser must show a client certificate
// the CA issued to it. It returns the cluster's address.
func tlsCluster(t *testing.T, pki testutil.PKI) string {
	t.Helper()
	needServer(t)
	c := &cluster{t: t, PGHome: testutil.NewPGHome(t, "golive-pgtls-")}
	data := filepath.Join(c.Dir, "data")
	if out, err := c.Cmd("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	hba := `local all all trust
hostnossl all postgres 127.0.0.1/32 trust
hostssl all certuser 127.0.0.1/32 cert
hostssl all all 127.0.0.1/32 trust
hostnossl all all 127.0.0.1/32 reject
`
	require.NoError(t, os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600))
	certs := filepath.Join(c.Dir, "certs")
	require.NoError(t, os.Mkdir(certs, 0o700))
	for name, src := range map[string]string{"server.pem": pki.ServerCert, "server.key": pki.ServerKey, "ca.pem": pki.CA} {
		b, err := os.ReadFile(src)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(certs, name), b, 0o600))
	}
	c.Chown(t, data, certs)
	dsn := c.start(data, "ssl=on", "ssl_cert_file="+filepath.Join(certs, "server.pem"),
		"ssl_key_file="+filepath.Join(certs, "server.key"), "ssl_ca_file="+filepath.Join(certs, "ca.pem"))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, role := range []string{"golive_tls", "certuser"} {
		_, err := conn.Exec(ctx, "CREATE ROLE "+role+" LOGIN IN ROLE pg_monitor")
		require.NoError(t, err)
	}
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	return u.Host
}

// A PostgreSQL target's tls: (prometheus/common's TLS settings) connects
// over TLS and verifies the server as verify-full does: its CA, its name
// (or server_name), a client certificate; insecure_skip_verify connects
// without verifying, a DSN's verify-ca checks the chain only, and the
// deprecated sslmode/sslrootcert keys still work. The same settings given
// to psql through pgtls.Env connect, or fail, alike.
func TestPostgresTLSTarget(t *testing.T) {
	dir := t.TempDir()
	pki := testutil.WritePKI(t, dir, "certuser")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "other"), 0o700))
	other := testutil.WritePKI(t, filepath.Join(dir, "other"), "certuser")
	addr := tlsCluster(t, pki)
	_, port, _ := strings.Cut(addr, ":")
	as := func(user, host, query string) string {
		return fmt.Sprintf("postgres://%s@%s:%s/postgres%s", user, host, port, query)
	}
	yml := fmt.Sprintf(`postgres_targets:
  good: {dsn: %q, tls: {ca_file: %q}}
  by_name: {dsn: %q, tls: {ca_file: %q}}
  wrong_ca: {dsn: %q, tls: {ca_file: %q}}
  wrong_name: {dsn: %q, tls: {ca_file: %q, server_name: db.example.com}}
  verify_ca: {dsn: %q, tls: {ca_file: %q, server_name: db.example.com}}
  insecure: {dsn: %q, tls: {insecure_skip_verify: true}}
  client_cert: {dsn: %q, tls: {ca_file: %q, cert_file: %q, key_file: %q}}
  no_client_cert: {dsn: %q, tls: {ca_file: %q}}
  plain: {dsn: %q}
  legacy: {dsn: %q, sslmode: verify-full, sslrootcert: %q}
checks:
`, as("golive_tls", "127.0.0.1", ""), pki.CA,
		as("golive_tls", "localhost", ""), pki.CA,
		as("golive_tls", "127.0.0.1", ""), other.CA,
		as("golive_tls", "127.0.0.1", ""), pki.CA,
		as("golive_tls", "127.0.0.1", "?sslmode=verify-ca"), pki.CA,
		as("golive_tls", "127.0.0.1", ""),
		as("certuser", "127.0.0.1", ""), pki.CA, pki.ClientCert, pki.ClientKey,
		as("certuser", "127.0.0.1", ""), pki.CA,
		as("golive_tls", "127.0.0.1", "?sslmode=disable"),
		as("golive_tls", "127.0.0.1", ""), pki.CA)
	targets := []string{"good", "by_name", "wrong_ca", "wrong_name", "verify_ca", "insecure", "client_cert", "no_client_cert", "plain", "legacy"}
	for _, name := range targets {
		yml += fmt.Sprintf("  - {name: %s, postgres: {target: %s}}\n", name, name)
	}
	out := collectortest.RunConfig(t, yml, 30*time.Second)
	want := map[string]collector.Reason{
		"good": collector.ReasonNone, "by_name": collector.ReasonNone, "verify_ca": collector.ReasonNone,
		"insecure": collector.ReasonNone, "client_cert": collector.ReasonNone, "legacy": collector.ReasonNone,
		"wrong_ca": collector.ReasonTLS, "wrong_name": collector.ReasonTLS,
		"no_client_cert": collector.ReasonAuth, "plain": collector.ReasonAuth,
	}
	for _, name := range targets {
		r := out.Result(t, name)
		if want[name] == collector.ReasonNone {
			assert.Contains(t, out.Metrics, fmt.Sprintf(`golive_postgres_up{check=%q} 1`, name), "%s: %s %s", name, r.Reason, r.Message)
			continue
		}
		assert.Equal(t, want[name], r.Reason, "%s: %s", name, r.Message)
	}
	assert.Contains(t, out.Result(t, "plain").Message, "no encryption", "the cluster takes TLS connections only")

	// psql, as the restore kind runs it, gets the same settings from the
	// environment pgtls.Env gives it.
	psql := testutil.Tool(t, "psql")
	cfg := loadConfig(t, yml)
	for _, tc := range []struct {
		target string
		ok     bool
	}{{"good", true}, {"by_name", true}, {"wrong_ca", false}, {"wrong_name", false}, {"verify_ca", true}, {"insecure", true}, {"client_cert", true}, {"no_client_cert", false}} {
		tg := cfg.PostgresTargets[tc.target]
		u, err := url.Parse(tg.DSN)
		require.NoError(t, err)
		env, err := pgtls.Env(cfg, tc.target, tg, u.Hostname())
		require.NoError(t, err, tc.target)
		cmd := exec.Command(psql, "-X", "-A", "-t", "-c", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
		cmd.Env = []string{"PGHOST=" + u.Hostname(), "PGPORT=" + port, "PGUSER=" + u.User.Username(), "PGDATABASE=postgres", "PGCONNECT_TIMEOUT=5"}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		res, err := cmd.CombinedOutput()
		if !tc.ok {
			require.Error(t, err, "%s: psql connected with %v:\n%s", tc.target, env, res)
			continue
		}
		require.NoError(t, err, "%s: psql with %v:\n%s", tc.target, env, res)
		assert.Equal(t, "t", strings.TrimSpace(string(res)), tc.target)
	}
}
