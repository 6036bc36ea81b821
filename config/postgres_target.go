package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	commoncfg "github.com/prometheus/common/config"
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
	// TLS, when set, connects over TLS only: prometheus/common's TLS
	// settings, as in the HTTP kinds and Redis (ca_file, cert_file,
	// key_file, their inline and *_ref forms, server_name,
	// insecure_skip_verify, min_version). The server is verified as
	// sslmode=verify-full does (require with insecure_skip_verify); a DSN's
	// own sslmode of require, verify-ca or verify-full that fits is kept.
	TLS *commoncfg.TLSConfig `yaml:"tls,omitempty"`
	// SSLMode overrides the DSN's sslmode (disable, allow, prefer, require,
	// verify-ca, verify-full). Deprecated: tls:, or sslmode in the dsn.
	SSLMode string `yaml:"sslmode,omitempty" deprecated:"write tls: to connect over TLS (verify-full; with insecure_skip_verify: true, require), or put the mode in the dsn (sslmode=disable)"`
	// SSLRootCert, SSLCert and SSLKey are PEM files (relative to the config
	// file) for verify-ca/verify-full and client certificates. Deprecated:
	// tls:'s ca_file, cert_file and key_file.
	SSLRootCert string `yaml:"sslrootcert,omitempty" deprecated:"write tls: with ca_file: (the same file)"`
	SSLCert     string `yaml:"sslcert,omitempty" deprecated:"write tls: with cert_file: (the same file)"`
	SSLKey      string `yaml:"sslkey,omitempty" deprecated:"write tls: with key_file: (the same file)"`
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
	if t.TLS != nil {
		t.validateTLS(path, p)
	}
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

// validateTLS checks tls: and that nothing else says how to use TLS.
func (t *PostgresTarget) validateTLS(path string, p *Problems) {
	if err := t.TLS.Validate(); err != nil {
		p.Addf(path+".tls", "%v", err)
	}
	for _, old := range []struct{ key, value, instead string }{
		{"sslmode", t.SSLMode, "remove it: tls: connects with verify-full (require with insecure_skip_verify: true)"},
		{"sslrootcert", t.SSLRootCert, "write the file as ca_file under tls:"},
		{"sslcert", t.SSLCert, "write the file as cert_file under tls:"},
		{"sslkey", t.SSLKey, "write the file as key_file under tls:"},
	} {
		if old.value != "" {
			p.Addf(path+"."+old.key, "%s and tls: are both set; %s", old.key, old.instead)
		}
	}
	for _, param := range [][2]string{{"sslrootcert", "ca_file"}, {"sslcert", "cert_file"}, {"sslkey", "key_file"}} {
		if DSNParam(t.DSN, param[0]) != "" {
			p.Addf(path+".dsn", "the dsn has %s and tls: is set; remove it from the dsn and write the file as %s under tls:", param[0], param[1])
		}
	}
	if m := DSNParam(t.DSN, "sslmode"); m == "" || sslModes[m] { // an unknown one is reported already
		if _, err := t.TLSMode(); err != nil {
			p.Addf(path+".dsn", "%v", err)
		}
	}
}

// TLSMode returns the sslmode of a target with tls: (tls: connects over
// TLS only): the DSN's own sslmode when it is one that fits (require with
// insecure_skip_verify: true, verify-ca or verify-full without), else
// verify-full, or require with insecure_skip_verify: true. It returns ""
// for a target without tls:, and an error that says what to change when
// the DSN's sslmode contradicts tls:.
func (t *PostgresTarget) TLSMode() (string, error) {
	if t.TLS == nil {
		return "", nil
	}
	insecure := t.TLS.InsecureSkipVerify
	switch m := DSNParam(t.DSN, "sslmode"); m {
	case "":
		if insecure {
			return "require", nil
		}
		return "verify-full", nil
	case "require":
		if insecure {
			return m, nil
		}
		return "", fmt.Errorf("the dsn says sslmode=require, which does not verify the server, and tls: verifies it; remove sslmode from the dsn (tls: connects with verify-full), or write insecure_skip_verify: true under tls: to connect without verifying")
	case "verify-ca", "verify-full":
		if !insecure {
			return m, nil
		}
		return "", fmt.Errorf("the dsn says sslmode=%s, which verifies the server, and tls: says insecure_skip_verify: true; remove one of them", m)
	default:
		return "", fmt.Errorf("the dsn says sslmode=%s, and tls: connects over TLS only; remove sslmode from the dsn, or tls: to connect without TLS", m)
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
