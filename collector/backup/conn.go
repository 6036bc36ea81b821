package backup

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/httpclient"
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
}

func connFrom(cfg *config.Config, target, dsn string, pw config.Secret, pwFile, pwRef string) connSpec {
	if t := cfg.PostgresTargets[target]; target != "" && t != nil {
		return connSpec{dsn: t.DSN, password: t.Password, passwordFile: cfg.ResolvePath(t.PasswordFile), passwordRef: t.PasswordRef,
			sslMode: t.SSLMode, sslRootCert: cfg.ResolvePath(t.SSLRootCert), sslCert: cfg.ResolvePath(t.SSLCert),
			sslKey: cfg.ResolvePath(t.SSLKey), connectTimeout: time.Duration(t.ConnectTimeout)}
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
	password, err := config.ReadSecret(context.Background(), httpclient.EnvSecrets{}, s.password, s.passwordFile, s.passwordRef)
	if err != nil {
		return nil, err
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
	if tls["sslmode"] == "" {
		tls["sslmode"] = "prefer" // libpq's default
	}
	env := []string{"PGHOST=" + pc.Host, "PGPORT=" + strconv.Itoa(int(pc.Port)), "PGUSER=" + pc.User,
		"PGAPPNAME=golive_exporter_restore", "PGCONNECT_TIMEOUT=" + strconv.Itoa(max(1, int(pc.ConnectTimeout.Seconds()))),
		"PGSSLMODE=" + tls["sslmode"]}
	for k, v := range map[string]string{"PGSSLROOTCERT": tls["sslrootcert"], "PGSSLCERT": tls["sslcert"], "PGSSLKEY": tls["sslkey"]} {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	if pc.Password != "" {
		env = append(env, "PGPASSWORD="+pc.Password)
	}
	return &server{conn: pc, env: env}, nil
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
