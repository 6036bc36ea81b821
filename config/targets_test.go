package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDatabaseTargetsInvalid(t *testing.T) {
	tests := []struct {
		name, yml, want string
	}{
		{"no dsn", "postgres_targets:\n  a: {sslmode: disable}", "dsn is missing"},
		{"bad sslmode", "postgres_targets:\n  a: {dsn: 'postgres://u@h/d', sslmode: maybe}", `sslmode "maybe" is not known`},
		{"too many conns", "postgres_targets:\n  a: {dsn: 'postgres://u@h/d', max_connections: 20}", "max_connections is 20"},
		{"password twice", "postgres_targets:\n  a: {dsn: 'postgres://u:pw@h/d', password_file: /x}", "keep only password_file or password_ref"},
		{"secret twice", "postgres_targets:\n  a: {dsn: 'postgres://u@h/d', password: x, password_env: Y}", "given more than once"},
		{"not a dsn", "postgres_targets:\n  a: {dsn: 'db.example.com'}", "neither a postgres:// URL"},
		{"redis address", "redis_targets:\n  r: {address: 'localhost'}", "is not host:port"},
		{"redis db", "redis_targets:\n  r: {address: 'h:6379', db: 99}", "db is 99"},
		{"redis tls pair", "redis_targets:\n  r: {address: 'h:6379', tls: {cert_file: c.pem}}", "exactly one of key or key_file must be configured when a client certificate is configured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(tc.yml+"\nchecks:\n  - {name: t, tcp: {address: 'h:1'}}\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPostgresTargetMarshalMasks(t *testing.T) {
	c, err := Load([]byte(`postgres_targets:
  a: {dsn: "postgres://app:Sentinel-x1@db/app"}
  b: {dsn: "host=db password=Sentinel-x2 user=app"}
  c: {dsn: "postgres://app@db/app", password: Sentinel-x3}
redis_targets:
  r: {address: "h:6379", password: Sentinel-x4}
checks:
  - {name: t, tcp: {address: 'h:1'}}
`), "t.yml")
	require.NoError(t, err)
	out, err := c.Marshal()
	require.NoError(t, err)
	assert.NotContains(t, string(out), "Sentinel-x")
	assert.Equal(t, 4, strings.Count(string(out), "<secret>"), string(out))
}

// A PostgreSQL target's tls: is prometheus/common's TLS settings; what
// contradicts it (a deprecated key beside it, a DSN's sslmode that does not
// fit, certificate files in the DSN) is refused at its line with what to
// write instead.
func TestPostgresTargetTLS(t *testing.T) {
	const check = "\nchecks:\n  - {name: t, tcp: {address: 'h:1'}}\n"
	for _, tc := range []struct {
		name, target, want string
	}{
		{"verifies", "{dsn: 'postgres://u@h/d', tls: {ca_file: ca.pem}}", ""},
		{"dsn verify-ca", "{dsn: 'postgres://u@h/d?sslmode=verify-ca', tls: {ca_file: ca.pem}}", ""},
		{"dsn require, not verifying", "{dsn: 'postgres://u@h/d?sslmode=require', tls: {insecure_skip_verify: true}}", ""},
		{"key without cert", "{dsn: 'postgres://u@h/d', tls: {key_file: k.pem}}",
			// prometheus/common's decoder checks it (without a line, as for Redis).
			"t.yml: exactly one of cert or cert_file must be configured when a client key is configured"},
		{"with sslmode", "{dsn: 'postgres://u@h/d', sslmode: require, tls: {}}",
			"t.yml:2: postgres_targets.a.sslmode: sslmode and tls: are both set; remove it: tls: connects with verify-full (require with insecure_skip_verify: true)"},
		{"with sslrootcert", "{dsn: 'postgres://u@h/d', sslrootcert: ca.pem, tls: {}}",
			"t.yml:2: postgres_targets.a.sslrootcert: sslrootcert and tls: are both set; write the file as ca_file under tls:"},
		{"dsn sslkey", "{dsn: 'host=h sslkey=/k.pem', tls: {}}",
			"t.yml:2: postgres_targets.a.dsn: the dsn has sslkey and tls: is set; remove it from the dsn and write the file as key_file under tls:"},
		{"dsn disable", "{dsn: 'postgres://u@h/d?sslmode=disable', tls: {}}",
			"postgres_targets.a.dsn: the dsn says sslmode=disable, and tls: connects over TLS only; remove sslmode from the dsn, or tls: to connect without TLS"},
		{"dsn prefer", "{dsn: 'host=h sslmode=prefer', tls: {}}", "the dsn says sslmode=prefer, and tls: connects over TLS only"},
		{"dsn require, verifying", "{dsn: 'postgres://u@h/d?sslmode=require', tls: {ca_file: ca.pem}}",
			"the dsn says sslmode=require, which does not verify the server, and tls: verifies it; remove sslmode from the dsn (tls: connects with verify-full), or write insecure_skip_verify: true under tls: to connect without verifying"},
		{"dsn verify-full, not verifying", "{dsn: 'postgres://u@h/d?sslmode=verify-full', tls: {insecure_skip_verify: true}}",
			"the dsn says sslmode=verify-full, which verifies the server, and tls: says insecure_skip_verify: true; remove one of them"},
		{"dsn unknown sslmode said once", "{dsn: 'postgres://u@h/d?sslmode=verify_full', tls: {}}", `sslmode "verify_full" in the dsn is not known`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yml := "postgres_targets:\n  a: " + tc.target + check
			_, err := Load([]byte(yml), "t.yml")
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, 1, strings.Count(err.Error(), "\n")+1, "one problem: %s", err)
		})
	}
}

// The deprecated sslmode, sslrootcert, sslcert and sslkey keys still load
// and work, each with a warning at its line naming what to write instead.
func TestPostgresTargetSSLKeysDeprecated(t *testing.T) {
	cfg, err := Load([]byte(`postgres_targets:
  a:
    dsn: postgres://u@h/d
    sslmode: verify-full
    sslrootcert: ca.pem
    sslcert: c.pem
    sslkey: c.key
checks:
  - {name: t, tcp: {address: 'h:1'}}
`), "t.yml")
	require.NoError(t, err)
	assert.Equal(t, "ca.pem", cfg.PostgresTargets["a"].SSLRootCert)
	assert.Equal(t, []string{
		"t.yml:4: postgres_targets.a.sslmode: sslmode is deprecated and will be removed in the next release; write tls: to connect over TLS (verify-full; with insecure_skip_verify: true, require), or put the mode in the dsn (sslmode=disable)",
		"t.yml:5: postgres_targets.a.sslrootcert: sslrootcert is deprecated and will be removed in the next release; write tls: with ca_file: (the same file)",
		"t.yml:6: postgres_targets.a.sslcert: sslcert is deprecated and will be removed in the next release; write tls: with cert_file: (the same file)",
		"t.yml:7: postgres_targets.a.sslkey: sslkey is deprecated and will be removed in the next release; write tls: with key_file: (the same file)",
	}, cfg.Warnings())

	cfg, err = Load([]byte("postgres_targets:\n  a: {dsn: 'postgres://u@h/d', tls: {ca_file: ca.pem}}\nchecks:\n  - {name: t, tcp: {address: 'h:1'}}\n"), "t.yml")
	require.NoError(t, err)
	assert.Empty(t, cfg.Warnings())
}
