package backup

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/httpclient"
	"github.com/golive/golive_exporter/internal/pgtls"
	"github.com/jackc/pgx/v5"
)

// connSpec says how to reach a server: a check's own dsn and password
// keys, or a postgres_targets entry.
type connSpec struct {
	dsn            string
	password       config.Secret
	passwordFile   string
	passwordRef    string // an environment variable's name
	sslMode        string
	sslRootCert    string
	sslCert        string
	sslKey         string
	connectTimeout time.Duration
	// cfg, targetName and target are set for a postgres_targets entry
	// with tls:, which internal/pgtls maps for pgx and the tools.
	cfg        *config.Config
	targetName string
	target     *config.PostgresTarget
}

func connFrom(cfg *config.Config, target, dsn string, pw config.Secret, pwFile, pwRef string) connSpec {
	if t := cfg.PostgresTargets[target]; target != "" && t != nil {
		return connSpec{dsn: t.DSN, password: t.Password, passwordFile: cfg.ResolvePath(t.PasswordFile), passwordRef: t.PasswordRef,
			sslMode: t.SSLMode, sslRootCert: cfg.ResolvePath(t.SSLRootCert), sslCert: cfg.ResolvePath(t.SSLCert),
			sslKey: cfg.ResolvePath(t.SSLKey), connectTimeout: time.Duration(t.ConnectTimeout),
			cfg: cfg, targetName: target, target: t}
	}
	return connSpec{dsn: dsn, password: pw, passwordFile: cfg.ResolvePath(pwFile), passwordRef: pwRef}
}

// server is a resolved connection: pgx's config and the libpq environment
// the command-line tools get (the password never goes on a command line).
type server struct {
	conn *pgx.ConnConfig
	env  []string
}

func resolveServer(s connSpec) (*server, error) {
	if s.target != nil && s.target.TLS != nil {
		return resolveTLSServer(s)
	}
	dsn := s.dsn
	// Settings given beside the DSN win over the DSN's own.
	tls := map[string]string{"sslmode": s.sslMode, "sslrootcert": s.sslRootCert, "sslcert": s.sslCert, "sslkey": s.sslKey}
	// A DSN that is not a valid URL is left as is: pgx.ParseConfig reports it.
	if withTLS, err := config.WithDSNParams(dsn, tls); err == nil {
		dsn = withTLS
	}
	for k, v := range tls {
		if v == "" {
			tls[k] = dsnParam(s.dsn, k)
		}
	}
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parsing dsn %s: %s", config.MaskDSN(s.dsn), collector.Scrub(err, config.DSNPassword(s.dsn)))
	}
	if err := setPasswordAndTimeout(s, pc); err != nil {
		return nil, err
	}
	if tls["sslmode"] == "" {
		tls["sslmode"] = "prefer" // libpq's default
	}
	env := map[string]string{"PGSSLMODE": tls["sslmode"]}
	for k, v := range map[string]string{"PGSSLROOTCERT": tls["sslrootcert"], "PGSSLCERT": tls["sslcert"], "PGSSLKEY": tls["sslkey"]} {
		if v != "" {
			env[k] = v
		}
	}
	return &server{conn: pc, env: toolEnv(pc, env)}, nil
}

// resolveTLSServer resolves a postgres_targets entry with tls:: pgx gets
// prometheus/common's TLS settings, the tools their libpq environment
// (internal/pgtls).
func resolveTLSServer(s connSpec) (*server, error) {
	dsn, err := pgtls.DSN(s.cfg, s.target)
	if err != nil {
		return nil, fmt.Errorf("postgres target %s: %s", s.targetName, collector.Scrub(err, config.DSNPassword(s.dsn)))
	}
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parsing dsn %s: %s", config.MaskDSN(s.dsn), collector.Scrub(err, config.DSNPassword(s.dsn)))
	}
	// What the tools cannot take is said first: it is the restore kind's.
	env, err := pgtls.Env(s.cfg, s.targetName, s.target, pc.Host)
	if err != nil {
		return nil, err
	}
	if err := pgtls.Apply(s.cfg, s.target, &pc.Config); err != nil {
		return nil, fmt.Errorf("postgres target %s: %w", s.targetName, err)
	}
	if err := setPasswordAndTimeout(s, pc); err != nil {
		return nil, err
	}
	return &server{conn: pc, env: toolEnv(pc, env)}, nil
}

// setPasswordAndTimeout sets the password of s (read from where it is
// given) and the connect timeout on pc.
func setPasswordAndTimeout(s connSpec, pc *pgx.ConnConfig) error {
	password, err := config.ReadSecret(context.Background(), httpclient.EnvSecrets{}, s.password, s.passwordFile, s.passwordRef)
	if err != nil {
		return err
	}
	if password != "" {
		pc.Password = password
	}
	switch {
	case s.connectTimeout > 0:
		pc.ConnectTimeout = s.connectTimeout
	case pc.ConnectTimeout == 0:
		pc.ConnectTimeout = 10 * time.Second
	}
	return nil
}

// toolEnv is the libpq environment of the tools for pc, with tls (the
// TLS variables, and PGHOST/PGHOSTADDR when they say so) over pc's
// host, in name order.
func toolEnv(pc *pgx.ConnConfig, tls map[string]string) []string {
	env := map[string]string{"PGHOST": pc.Host, "PGPORT": strconv.Itoa(int(pc.Port)), "PGUSER": pc.User,
		"PGAPPNAME": "golive_exporter_restore", "PGCONNECT_TIMEOUT": strconv.Itoa(max(1, int(pc.ConnectTimeout.Seconds())))}
	maps.Copy(env, tls)
	if pc.Password != "" {
		env["PGPASSWORD"] = pc.Password
	}
	out := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}

func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// dsnParam returns a parameter of a URL or keyword DSN ("" when absent).
func dsnParam(dsn, key string) string {
	if isURL(dsn) {
		if u, err := url.Parse(dsn); err == nil {
			return u.Query().Get(key)
		}
		return ""
	}
	re := regexp.MustCompile(`(?:^|\s)` + regexp.QuoteMeta(key) + `\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))`)
	if m := re.FindStringSubmatch(dsn); m != nil {
		return m[1] + m[2]
	}
	return ""
}
