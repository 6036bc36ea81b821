package config

import (
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// PostgresTarget is a PostgreSQL server that checks name by key. The
// exporter keeps one small connection pool per target, shared by every check
// on it, so it can never be the reason a database runs out of connections.
type PostgresTarget struct {
	// DSN is a libpq connection string, URL (postgres://user@host:5432/db)
	// or keyword form (host=... user=... dbname=...). Keep the password out
	// of it: use password_file or password_ref.
	DSN string `yaml:"dsn"`
	// Password, PasswordFile and PasswordRef give the password; at most
	// one. PasswordRef names an environment variable, read through the
	// same secret manager as the HTTP kinds' password_ref.
	Password     Secret `yaml:"password,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordRef  string `yaml:"password_ref,omitempty"`
	// PasswordEnv is password_ref's old name.
	PasswordEnv string `yaml:"password_env,omitempty" deprecated:"write password_ref: with the same variable name"`
	// SSLMode overrides the DSN's sslmode (disable, allow, prefer, require,
	// verify-ca, verify-full).
	SSLMode string `yaml:"sslmode,omitempty"`
	// SSLRootCert, SSLCert and SSLKey are PEM files (relative to the config
	// file) for verify-ca/verify-full and client certificates.
	SSLRootCert string `yaml:"sslrootcert,omitempty"`
	SSLCert     string `yaml:"sslcert,omitempty"`
	SSLKey      string `yaml:"sslkey,omitempty"`
	// MaxConnections bounds the target's pool (1 to 4; default 2).
	MaxConnections int `yaml:"max_connections,omitempty"`
	// ConnectTimeout bounds opening one connection (default 5s).
	ConnectTimeout model.Duration `yaml:"connect_timeout,omitempty"`
	// AllowPrivilegedRole lets sql checks run as a superuser or a member of
	// pg_execute_server_program, pg_write_server_files,
	// pg_read_server_files or pg_signal_backend. Dangerous: such a role's
	// query can run shell commands, read and write server files and end
	// other sessions whatever the read-only transaction. Without it, sql
	// checks on the target refuse to run as such a role.
	AllowPrivilegedRole bool `yaml:"allow_privileged_role,omitempty"`
}

// Defaults and bounds of PostgresTarget.
const (
	DefaultPostgresMaxConns = 2
	MaxPostgresMaxConns     = 4
	DefaultConnectTimeout   = 5 * time.Second
)

// SetDefaults implements Defaulter.
func (t *PostgresTarget) SetDefaults() {
	// password_env is read as password_ref, here and only here.
	FoldDeprecatedRef(&t.PasswordRef, &t.PasswordEnv)
	if t.MaxConnections == 0 {
		t.MaxConnections = DefaultPostgresMaxConns
	}
	if t.ConnectTimeout <= 0 {
		t.ConnectTimeout = model.Duration(DefaultConnectTimeout)
	}
}

var sslModes = map[string]bool{"disable": true, "allow": true, "prefer": true, "require": true, "verify-ca": true, "verify-full": true}

// Validate implements Validator.
func (t *PostgresTarget) Validate(path string, p *Problems) {
	if strings.TrimSpace(t.DSN) == "" {
		p.Addf(path+".dsn", "dsn is missing; write e.g. postgres://monitor@db.example.com:5432/app?sslmode=verify-full")
	} else if strings.HasPrefix(t.DSN, "postgres://") || strings.HasPrefix(t.DSN, "postgresql://") {
		if _, err := url.Parse(t.DSN); err != nil {
			p.Addf(path+".dsn", "dsn %s is not a valid URL; write postgres://user@host:5432/dbname", MaskDSN(t.DSN))
		}
	} else if !strings.Contains(t.DSN, "=") {
		p.Addf(path+".dsn", "dsn %q is neither a postgres:// URL nor key=value pairs; write postgres://user@host:5432/dbname", MaskDSN(t.DSN))
	}
	if (t.PasswordFile != "" || t.PasswordRef != "" || t.Password != "") && DSNPassword(t.DSN) != "" {
		p.Addf(path+".dsn", "the dsn carries a password and password/password_file/password_ref is set too; keep only password_file or password_ref")
	}
	ValidateSecret(path+".password", "password", t.Password, t.PasswordFile, t.PasswordRef, t.PasswordEnv, p)
	if t.SSLMode != "" && !sslModes[t.SSLMode] {
		p.Addf(path+".sslmode", "sslmode %q is not known; write one of disable, allow, prefer, require, verify-ca, verify-full", t.SSLMode)
	}
	ValidateDSNSSLMode(path+".dsn", t.DSN, p)
	if t.MaxConnections < 1 || t.MaxConnections > MaxPostgresMaxConns {
		p.Addf(path+".max_connections", "max_connections is %d; write 1 to %d (the exporter must stay a small client)", t.MaxConnections, MaxPostgresMaxConns)
	}
	if !t.AllowPrivilegedRole && DSNUser(t.DSN) == "postgres" {
		name := strings.TrimPrefix(path, "postgres_targets.")
		var sqlChecks []string
		for _, c := range p.Config().Checks {
			if c == nil {
				continue
			}
			if q, ok := c.Spec().(UserQueries); ok && q.UserQueryTarget() == name {
				sqlChecks = append(sqlChecks, c.Name)
			}
		}
		if len(sqlChecks) > 0 {
			p.Addf(path+".dsn", "the dsn connects as postgres, the superuser, and sql checks (%s) use this target: their queries could run shell commands and read or write server files whatever the read-only transaction. %s",
				strings.Join(sqlChecks, ", "), LeastPrivilegeAdvice(name))
		}
	}
}

// ValidateDSNSSLMode refuses a DSN whose sslmode PostgreSQL's clients do
// not know (verify_full, requires): found at --config.check, not on the
// first connection.
func ValidateDSNSSLMode(path, dsn string, p *Problems) {
	if m := DSNParam(dsn, "sslmode"); m != "" && !sslModes[m] {
		p.Addf(path, "sslmode %q in the dsn is not known; write one of disable, allow, prefer, require, verify-ca, verify-full", m)
	}
}

// LeastPrivilegeAdvice says what to do about a privileged role on the
// named postgres target: the SQL that creates a least-privilege role, or
// the dangerous way out.
func LeastPrivilegeAdvice(target string) string {
	return "Connect as a least-privilege role instead: CREATE ROLE golive_monitor LOGIN PASSWORD '...' IN ROLE pg_monitor; " +
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO golive_monitor; or, knowing the danger, set allow_privileged_role: true on postgres target " +
		target + " (see docs/database.md)"
}

// MarshalYAML masks the password in the DSN and the inline password for the
// config endpoint.
func (t PostgresTarget) MarshalYAML() (any, error) {
	type plain PostgresTarget
	c := plain(t)
	c.DSN = MaskDSN(t.DSN)
	return c, nil
}
