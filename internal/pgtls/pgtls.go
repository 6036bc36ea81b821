// Package pgtls gives a PostgreSQL target's TLS settings to the two kinds
// of client that connect to it: pgx (the database kinds' pools, the
// restore kind's connections) and the libpq tools the restore kind runs
// (pg_restore, psql, pg_dump), which take them from the environment.
//
// A target's tls: is prometheus/common's TLS settings (config.PostgresTarget
// and docs/database.md say how it maps to an sslmode); the deprecated
// sslmode, sslrootcert, sslcert and sslkey keys are written into the DSN
// as before.
package pgtls

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
	commoncfg "github.com/prometheus/common/config"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/httpclient"
)

// DSN returns the DSN of target t as pgx is to parse it: with tls:, the
// sslmode tls: connects with (config.PostgresTarget.TLSMode), so that pgx
// makes one TLS connection per host and no plain one; without, the
// deprecated sslmode, sslrootcert, sslcert and sslkey keys written into it
// (they win over the DSN's own), files relative to the configuration file.
func DSN(cfg *config.Config, t *config.PostgresTarget) (string, error) {
	if t.TLS != nil {
		mode, err := t.TLSMode()
		if err != nil {
			return "", err
		}
		return config.WithDSNParams(t.DSN, map[string]string{"sslmode": mode})
	}
	return config.WithDSNParams(t.DSN, map[string]string{
		"sslmode":     t.SSLMode,
		"sslrootcert": cfg.ResolvePath(t.SSLRootCert),
		"sslcert":     cfg.ResolvePath(t.SSLCert),
		"sslkey":      cfg.ResolvePath(t.SSLKey),
	})
}

// Apply gives pgx the tls: settings of target t: the TLS configuration pgx
// derived from the sslmode of DSN (for the host and for every fallback
// host) is replaced by prometheus/common's, verified as the mode says:
// verify-full checks the chain and the name (server_name, or the host),
// verify-ca the chain only, require nothing; a Unix socket host stays
// without TLS, as libpq has it. cc must come from parsing DSN(cfg, t). A
// target without tls: is left as pgx parsed it.
func Apply(cfg *config.Config, t *config.PostgresTarget, cc *pgconn.Config) error {
	if t.TLS == nil {
		return nil
	}
	mode, err := t.TLSMode()
	if err != nil {
		return err
	}
	base, err := clientTLS(cfg, t.TLS)
	if err != nil {
		return err
	}
	forHost := func(host string, port uint16, parsed *tls.Config) (*tls.Config, error) {
		if parsed == nil {
			if network, _ := pgconn.NetworkAddress(host, port); network == "unix" {
				return nil, nil // a Unix socket: no TLS, as libpq
			}
			// DSN sets require or stricter: pgx makes no plain attempt.
			return nil, errors.New("pgtls: a plain connection attempt for a target with tls:; parse the DSN that pgtls.DSN returns")
		}
		c := base.Clone()
		c.NextProtos = parsed.NextProtos // sslnegotiation=direct's ALPN
		// Server Name Indication, and the name verify-full checks; Go sends
		// no SNI for an IP address and checks it against the IP SANs.
		c.ServerName = cmp.Or(t.TLS.ServerName, host)
		switch mode {
		case "require":
			c.InsecureSkipVerify = true
		case "verify-ca":
			c.InsecureSkipVerify = true
			c.VerifyPeerCertificate = verifyChain(base.RootCAs)
		case "verify-full":
			c.InsecureSkipVerify = false
		}
		return c, nil
	}
	if cc.TLSConfig, err = forHost(cc.Host, cc.Port, cc.TLSConfig); err != nil {
		return err
	}
	for _, fb := range cc.Fallbacks {
		if fb.TLSConfig, err = forHost(fb.Host, fb.Port, fb.TLSConfig); err != nil {
			return err
		}
	}
	return nil
}

// clientTLS builds prometheus/common's client TLS from tc: files relative
// to the configuration file, *_ref secrets from the environment (the same
// secret manager as the HTTP kinds' and Redis'), TLS 1.2 at least.
func clientTLS(cfg *config.Config, tc *commoncfg.TLSConfig) (*tls.Config, error) {
	c := *tc
	c.CAFile, c.CertFile, c.KeyFile = cfg.ResolvePath(c.CAFile), cfg.ResolvePath(c.CertFile), cfg.ResolvePath(c.KeyFile)
	out, err := commoncfg.NewTLSConfigWithContext(context.Background(), &c, commoncfg.WithSecretManager(httpclient.EnvSecrets{}))
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	if out.MinVersion == 0 {
		out.MinVersion = tls.VersionTLS12
	}
	return out, nil
}

// verifyChain checks the server's chain against roots (the system's when
// nil) without its name, as libpq's verify-ca does.
func verifyChain(roots *x509.CertPool) func([][]byte, [][]*x509.Certificate) error {
	return func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return errors.New("the server sent no certificate")
		}
		certs := make([]*x509.Certificate, len(raw))
		for i, der := range raw {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return fmt.Errorf("parsing the server's certificate: %w", err)
			}
			certs[i] = c
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
		for _, c := range certs[1:] {
			opts.Intermediates.AddCert(c)
		}
		_, err := certs[0].Verify(opts)
		return err
	}
}

// libpqVersions are libpq's names of the TLS versions
// (ssl_min_protocol_version).
var libpqVersions = map[uint16]string{
	tls.VersionTLS10: "TLSv1",
	tls.VersionTLS11: "TLSv1.1",
	tls.VersionTLS12: "TLSv1.2",
	tls.VersionTLS13: "TLSv1.3",
}

// Env returns the libpq environment that gives the tools the restore kind
// runs (pg_restore, psql, pg_dump) the tls: settings of target name, t,
// whose DSN's host is host: PGSSLMODE (config.PostgresTarget.TLSMode),
// PGSSLROOTCERT, PGSSLCERT and PGSSLKEY (ca_file, cert_file, key_file),
// PGSSLMINPROTOCOLVERSION and PGSSLMAXPROTOCOLVERSION; with a server_name
// other than host, PGHOST is server_name (the name libpq checks) and
// PGHOSTADDR host, which must then be an IP address. The tools read
// certificates from files only: inline and *_ref certificates and keys are
// refused, and so is verifying without ca_file (libpq reads the system's
// roots only from PostgreSQL 16 on). Without tls:, nil.
func Env(cfg *config.Config, name string, t *config.PostgresTarget, host string) (map[string]string, error) {
	tc := t.TLS
	if tc == nil {
		return nil, nil
	}
	mode, err := t.TLSMode()
	if err != nil {
		return nil, fmt.Errorf("postgres target %s: %w", name, err)
	}
	for _, inline := range []struct{ key, set, file string }{
		{"ca", cmp.Or(tc.CA, tc.CARef), "ca_file"},
		{"cert", cmp.Or(tc.Cert, tc.CertRef), "cert_file"},
		{"key", cmp.Or(string(tc.Key), tc.KeyRef), "key_file"},
	} {
		if inline.set != "" {
			return nil, fmt.Errorf("postgres target %s: tls: gives the %s inline or as a *_ref, and pg_restore and psql read it from a file only; write %s", name, inline.key, inline.file)
		}
	}
	env := map[string]string{"PGSSLMODE": mode}
	if mode != "require" {
		// With require, libpq verifies the chain whenever it has a root
		// certificate: insecure_skip_verify gives it none.
		if tc.CAFile == "" {
			// pgx verifies against the system's roots then; libpq reads
			// them only from PostgreSQL 16 on (sslrootcert=system, and
			// not with verify-ca).
			return nil, fmt.Errorf("postgres target %s: tls: has no ca_file, and pg_restore and psql verify the server against a CA file only; write ca_file (or insecure_skip_verify: true to connect without verifying)", name)
		}
		env["PGSSLROOTCERT"] = cfg.ResolvePath(tc.CAFile)
	}
	if tc.CertFile != "" {
		env["PGSSLCERT"], env["PGSSLKEY"] = cfg.ResolvePath(tc.CertFile), cfg.ResolvePath(tc.KeyFile)
	}
	env["PGSSLMINPROTOCOLVERSION"] = libpqVersions[cmp.Or(uint16(tc.MinVersion), tls.VersionTLS12)]
	if tc.MaxVersion != 0 {
		env["PGSSLMAXPROTOCOLVERSION"] = libpqVersions[uint16(tc.MaxVersion)]
	}
	if sn := tc.ServerName; sn != "" && sn != host {
		if net.ParseIP(host) == nil {
			return nil, fmt.Errorf("postgres target %s: tls: server_name %q differs from the dsn's host %q, and pg_restore and psql check the certificate against the host they connect to; write the server's IP address as the dsn's host (server_name is then the name checked) or the certificate's name as the host", name, sn, host)
		}
		env["PGHOST"], env["PGHOSTADDR"] = sn, host
	}
	return env, nil
}
