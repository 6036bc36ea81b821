package collector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReasonOfRealErrors classifies errors produced by real network and
// file operations, not hand-made ones.
func TestReasonOfRealErrors(t *testing.T) {
	_, refused := net.DialTimeout("tcp", testutil.FreeAddr(t), 5*time.Second)
	require.Error(t, refused)

	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	_, tlsErr := http.Get(tlsSrv.URL) // the test CA is not trusted
	require.Error(t, tlsErr)

	_, missing := os.Open(filepath.Join(t.TempDir(), "nope"))

	// A read that times out on a connection that stays silent.
	l2, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l2.Close()
	conn, err := net.Dial("tcp", l2.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Millisecond)))
	_, readTimeout := conn.Read(make([]byte, 1))

	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()

	cases := []struct {
		name string
		err  error
		want Reason
	}{
		{"nil", nil, ReasonNone},
		{"refused", fmt.Errorf("connecting: %w", refused), ReasonConnRefused},
		{"tls", tlsErr, ReasonTLS},
		{"missing file", missing, ReasonNotFound},
		{"read timeout", readTimeout, ReasonTimeout},
		{"context", fmt.Errorf("querying: %w", ctx.Err()), ReasonTimeout},
		{"explicit wins", Failf(ReasonStale, "newest backup is 3 days old"), ReasonStale},
		{"wrapped explicit", fmt.Errorf("outer: %w", WithReason(ReasonAuth, errors.New("denied"))), ReasonAuth},
		{"plain", errors.New("odd"), ReasonError},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, ReasonOf(c.err), c.name)
	}
	assert.NoError(t, WithReason(ReasonAuth, nil))
}

func TestReasonsAreAFixedLabelSafeSet(t *testing.T) {
	seen := map[Reason]bool{}
	re := regexp.MustCompile(`^[a-z][a-z_]*$`)
	for _, r := range Reasons() {
		assert.Regexp(t, re, string(r))
		assert.False(t, seen[r], "duplicate reason %s", r)
		seen[r] = true
	}
	for _, r := range []Reason{ReasonTimeout, ReasonConnRefused, ReasonTLS, ReasonUnexpectedStatus, ReasonConditionFailed, ReasonScrapeDeadline} {
		assert.True(t, seen[r], "%s listed", r)
	}
}

// Scrub removes every secret from an error's text and keeps the error it
// wraps reachable, so the reason is still classified.
func TestScrub(t *testing.T) {
	assert.NoError(t, Scrub(nil, "pw"))
	plain := errors.New("dial tcp: connection refused")
	assert.Same(t, plain, Scrub(plain, "pw", ""), "an error without a secret comes back as is")

	inner := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	err := Scrub(fmt.Errorf("connecting with password hunter2 (and again hunter2): %w", inner), "", "hunter2")
	assert.Equal(t, "connecting with password <secret> (and again <secret>): dial: connection refused", err.Error())
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Equal(t, ReasonConnRefused, ReasonOf(err))
}

// One meaning, one reason, in every kind: the words and codes servers and
// their tools use for a refused login, too many clients and certificate
// problems map to auth, unavailable and tls whichever kind met them. The
// messages are those the tools print (PostgreSQL 15, libpq, pgx, Redis 7,
// pgBackRest, WAL-G).
func TestReasonMapping(t *testing.T) {
	pgErr := func(code, msg string) error {
		return fmt.Errorf("connecting on postgres target app: %w", &pgconn.PgError{Severity: "FATAL", Code: code, Message: msg})
	}
	for _, tc := range []struct {
		name string
		err  error
		want Reason
	}{
		// SQLSTATEs, whichever kind's error wraps them.
		{"wrong password", pgErr("28P01", `password authentication failed for user "golive"`), ReasonAuth},
		{"unknown role", pgErr("28000", `role "nobody" does not exist`), ReasonAuth},
		{"no hba entry", pgErr("28000", `no pg_hba.conf entry for host "10.0.0.5", user "golive", database "sms", no encryption`), ReasonAuth},
		{"too many clients", pgErr("53300", "sorry, too many clients already"), ReasonUnavailable},
		{"too many connections for role", pgErr("53300", `too many connections for role "golive"`), ReasonUnavailable},
		{"starting up", pgErr("57P03", "the database system is starting up"), ReasonUnavailable},
		{"no privilege", pgErr("42501", "permission denied for table students"), ReasonPermission},
		{"statement timeout", pgErr("57014", "canceling statement due to statement timeout"), ReasonTimeout},
		{"no such table", pgErr("42P01", `relation "studnets" does not exist`), ReasonNotFound},
		{"syntax", pgErr("42601", `syntax error at or near "SELCT"`), ReasonConfig},
		{"explicit reason still wins", WithReason(ReasonConfig, pgErr("28P01", "password authentication failed")), ReasonConfig},

		// Words of clients and tools, in errors and command output.
		{"libpq password", errors.New(`pg_restore: error: connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for user "restore"`), ReasonAuth},
		{"libpq no password", errors.New("psql: error: connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: fe_sendauth: no password supplied"), ReasonAuth},
		{"libpq unknown role", errors.New(`psql: error: connection to server at "127.0.0.1", port 5432 failed: FATAL:  role "nobody" does not exist`), ReasonAuth},
		{"pgx sasl", errors.New("failed to connect to `user=golive database=sms`: 127.0.0.1:5432 (127.0.0.1): failed SASL auth: FATAL: password authentication failed for user \"golive\" (SQLSTATE 28P01)"), ReasonAuth},
		{"redis wrongpass", errors.New("WRONGPASS invalid username-password pair or user is disabled."), ReasonAuth},
		{"redis noauth", errors.New("NOAUTH Authentication required."), ReasonAuth},
		{"redis noperm", errors.New("NOPERM User golive has no permissions to run the 'config|get' command"), ReasonPermission},
		{"wal-g s3 denied", errors.New("failed to list s3 folder: 'basebackups_005/': AccessDenied: Access Denied\n\tstatus code: 403"), ReasonAuth},
		{"libpq too many clients", errors.New(`pg_dump: error: connection to server at "db" (10.0.0.4), port 5432 failed: FATAL:  sorry, too many clients already`), ReasonUnavailable},
		{"redis max clients", errors.New("ERR max number of clients reached"), ReasonUnavailable},
		{"redis loading", errors.New("LOADING Redis is loading the dataset in memory"), ReasonUnavailable},
		{"pgx tls refused", errors.New("failed to connect to `user=golive database=sms`: 127.0.0.1:5432 (127.0.0.1): server refused TLS connection"), ReasonTLS},
		{"libpq no ssl", errors.New(`psql: error: connection to server at "127.0.0.1", port 5432 failed: server does not support SSL, but SSL was required`), ReasonTLS},
		{"libpq verify", errors.New(`pg_restore: error: connection to server at "db" (10.0.0.4), port 5432 failed: SSL error: certificate verify failed`), ReasonTLS},
		{"libpq host name", errors.New(`psql: error: connection to server at "db" (10.0.0.4), port 5432 failed: server certificate for "db.internal" does not match host name "db"`), ReasonTLS},
		{"libpq root cert", errors.New(`psql: error: connection to server at "db", port 5432 failed: root certificate file "/root/.postgresql/root.crt" does not exist`), ReasonTLS},
		{"go x509 in a tool's output", errors.New(`Get "https://minio:9000/": tls: failed to verify certificate: x509: certificate signed by unknown authority`), ReasonTLS},

		// Nothing of the kind.
		{"plain", errors.New("unexpected end of JSON input"), ReasonError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ReasonOf(tc.err))
		})
	}
}

// OutputReason reads a failed command's output; HTTPStatusReason an
// unexpected HTTP status.
func TestOutputAndHTTPStatusReason(t *testing.T) {
	assert.Equal(t, ReasonAuth, OutputReason(`pg_restore: error: connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for user "restore"`, ReasonCommandFailed))
	assert.Equal(t, ReasonUnavailable, OutputReason("ERROR: [056]: unable to find primary cluster - cannot proceed\n  HINT: FATAL:  sorry, too many clients already", ReasonCommandFailed))
	assert.Equal(t, ReasonCommandFailed, OutputReason(`pg_restore: error: could not read input file: end of file`, ReasonCommandFailed))
	for code, want := range map[int]Reason{401: ReasonAuth, 403: ReasonAuth, 407: ReasonAuth, 404: ReasonUnexpectedStatus, 500: ReasonUnexpectedStatus, 503: ReasonUnexpectedStatus} {
		assert.Equal(t, want, HTTPStatusReason(code), "%d", code)
	}
}

// pgx against a server that answers N to the SSLRequest (PostgreSQL with
// ssl = off) while the DSN demands TLS: tls, not error.
func TestReasonOfPgxTLSRefused(t *testing.T) {
	addr := testutil.ServeTCP(t, func(c net.Conn) {
		buf := make([]byte, 8)
		if _, err := io.ReadFull(c, buf); err == nil {
			_, _ = c.Write([]byte("N"))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := pgx.Connect(ctx, "postgres://golive@"+addr+"/sms?sslmode=require&connect_timeout=3")
	require.Error(t, err)
	assert.Equal(t, ReasonTLS, ReasonOf(err), "%v", err)
}
