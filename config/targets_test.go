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
