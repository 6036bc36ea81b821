package config

import (
	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
)

// RedisTarget is a Redis server that checks name by key.
type RedisTarget struct {
	// Address is host:port.
	Address string `yaml:"address"`
	// Username is the ACL user (Redis 6+); empty for the default user.
	Username string `yaml:"username,omitempty"`
	// Password, PasswordFile and PasswordRef give the password; at most
	// one. PasswordRef names an environment variable, read through the
	// same secret manager as the HTTP kinds' password_ref.
	Password     Secret `yaml:"password,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordRef  string `yaml:"password_ref,omitempty"`
	// PasswordEnv is password_ref's old name.
	PasswordEnv string `yaml:"password_env,omitempty" deprecated:"write password_ref: with the same variable name"`
	// DB is the database number the checks use (default 0).
	DB int `yaml:"db,omitempty"`
	// TLS, when set, connects over TLS: prometheus/common's TLS settings,
	// as in the HTTP kinds (ca_file, cert_file, key_file, their inline and
	// *_ref forms, server_name, insecure_skip_verify, min_version).
	TLS *commoncfg.TLSConfig `yaml:"tls,omitempty"`
	// MaxConnections bounds the target's pool (1 to 4; default 2).
	MaxConnections int `yaml:"max_connections,omitempty"`
	// ConnectTimeout bounds opening one connection (default 5s).
	ConnectTimeout model.Duration `yaml:"connect_timeout,omitempty"`
}

// SetDefaults implements Defaulter.
func (t *RedisTarget) SetDefaults() {
	// password_env is read as password_ref, here and only here.
	FoldDeprecatedRef(&t.PasswordRef, &t.PasswordEnv)
	if t.MaxConnections == 0 {
		t.MaxConnections = DefaultPostgresMaxConns
	}
	if t.ConnectTimeout <= 0 {
		t.ConnectTimeout = model.Duration(DefaultConnectTimeout)
	}
}

// Validate implements Validator.
func (t *RedisTarget) Validate(path string, p *Problems) {
	ValidateHostPort(path+".address", t.Address, p)
	ValidateSecret(path+".password", "password", t.Password, t.PasswordFile, t.PasswordRef, t.PasswordEnv, p)
	if t.DB < 0 || t.DB > 15 {
		p.Addf(path+".db", "db is %d; write a database number from 0 to 15", t.DB)
	}
	if t.MaxConnections < 1 || t.MaxConnections > MaxPostgresMaxConns {
		p.Addf(path+".max_connections", "max_connections is %d; write 1 to %d", t.MaxConnections, MaxPostgresMaxConns)
	}
	if t.TLS != nil {
		if err := t.TLS.Validate(); err != nil {
			p.Addf(path+".tls", "%v", err)
		}
	}
}

// validatePostgresTarget reports a check's target that names no
