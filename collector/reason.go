package collector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
)

// Reason says why a check failed, from a small fixed set so that it can be a
// label without growing cardinality. The full text goes to the message.
type Reason string

// The failure reasons.
const (
	ReasonNone              Reason = "none"
	ReasonTimeout           Reason = "timeout"
	ReasonConnRefused       Reason = "connection_refused"
	ReasonDNS               Reason = "dns"
	ReasonNetwork           Reason = "network"
	ReasonTLS               Reason = "tls"
	ReasonAuth              Reason = "auth"
	ReasonPermission        Reason = "permission_denied"
	ReasonUnexpectedStatus  Reason = "unexpected_status"
	ReasonInvalidResponse   Reason = "invalid_response"
	ReasonConditionFailed   Reason = "condition_failed"
	ReasonNotFound          Reason = "not_found"
	ReasonStale             Reason = "stale"
	ReasonUnavailable       Reason = "unavailable"
	ReasonConfig            Reason = "config"
	ReasonCommandFailed     Reason = "command_failed"
	ReasonError             Reason = "error"
	ReasonScrapeDeadline    Reason = "scrape_deadline"
	ReasonNotRunYet         Reason = "not_run_yet"
	ReasonConcurrencyWaited Reason = "queue_timeout"
)

// Reasons lists every reason, for documentation and tests.
func Reasons() []Reason {
	return []Reason{ReasonNone, ReasonTimeout, ReasonConnRefused, ReasonDNS, ReasonNetwork, ReasonTLS,
		ReasonAuth, ReasonPermission, ReasonUnexpectedStatus, ReasonInvalidResponse, ReasonConditionFailed,
		ReasonNotFound, ReasonStale, ReasonUnavailable, ReasonConfig, ReasonCommandFailed, ReasonError,
		ReasonScrapeDeadline, ReasonNotRunYet, ReasonConcurrencyWaited}
}

// Failure is an error that carries its reason.
type Failure struct {
	Reason Reason
	Err    error
}

func (f *Failure) Error() string { return f.Err.Error() }
func (f *Failure) Unwrap() error { return f.Err }

// Failf returns an error with an explicit reason.
func Failf(reason Reason, format string, args ...any) error {
	return &Failure{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// Scrub returns err with every secret in its text replaced by <secret>; the
// result still unwraps to err, so that its reason can be classified. err
// comes back as is when its text holds none (nil stays nil).
func Scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "<secret>")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &scrubbed{msg: msg, err: err}
}

// scrubbed is an error whose text had secrets removed.
type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }

// WithReason wraps err with an explicit reason (nil stays nil).
func WithReason(reason Reason, err error) error {
	if err == nil {
		return nil
	}
	return &Failure{Reason: reason, Err: err}
}

// ReasonOf classifies an error into a Reason.
func ReasonOf(err error) Reason {
	if err == nil {
		return ReasonNone
	}
	var f *Failure
	if errors.As(err, &f) {
		return f.Reason
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return ReasonTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ReasonTimeout
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return ReasonConnRefused
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return ReasonDNS
	}
	if isTLSError(err) {
		return ReasonTLS
	}
	// A server's own error: PostgreSQL's SQLSTATE, or Redis' error word.
	var sqlErr interface{ SQLState() string }
	if errors.As(err, &sqlErr) {
		if r := SQLStateReason(sqlErr.SQLState()); r != "" {
			return r
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return ReasonNotFound
	}
	if errors.Is(err, fs.ErrPermission) {
		return ReasonPermission
	}
	// What servers and their clients say in words (libpq, pgx, Redis,
	// pgBackRest, WAL-G): authentication refused, too many clients, a
	// certificate problem.
	if r := MessageReason(err.Error()); r != "" {
		return r
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EPIPE) {
		return ReasonNetwork
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return ReasonNetwork
	}
	return ReasonError
}

func isTLSError(err error) bool {
	var (
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		certInvalid x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
		verifyErr   *tls.CertificateVerificationError
	)
	return errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &certInvalid) ||
		errors.As(err, &recordErr) || errors.As(err, &alertErr) || errors.As(err, &verifyErr)
}

// SQLStateReason maps a PostgreSQL SQLSTATE to a reason, or "" when the
// code says nothing more specific than "error". The same code means the
// same reason in every kind that talks to PostgreSQL (postgres, sql,
// migrations, indexes, restore).
func SQLStateReason(code string) Reason {
	switch {
	case strings.HasPrefix(code, "28"): // invalid_authorization_specification, invalid_password
		return ReasonAuth
	case code == "53300" || code == "57P03": // too_many_connections, cannot_connect_now (starting up, shutting down)
		return ReasonUnavailable
	case code == "42501" || code == "2F003": // insufficient_privilege, prohibited_sql_statement_attempted (dblink without a password)
		return ReasonPermission
	case code == "57014" || code == "55P03": // query_canceled (statement_timeout), lock_not_available (lock_timeout)
		return ReasonTimeout
	case code == "3D000" || code == "42P01" || code == "42703" || code == "42883": // no such database, table, column, function
		return ReasonNotFound
	case strings.HasPrefix(code, "08"): // connection_exception
		return ReasonNetwork
	case strings.HasPrefix(code, "42"): // syntax_error_or_access_rule_violation
		return ReasonConfig
	}
	return ""
}

// messagePhrases are what servers and their client tools write for the
// failures that have a reason of their own, lower-cased. The first match
// wins.
var messagePhrases = []struct {
	phrase string
	reason Reason
}{
	// Authentication: libpq and PostgreSQL ("password authentication
	// failed", "peer authentication failed", "no pg_hba.conf entry",
	// "fe_sendauth: no password supplied"), pgx ("failed SASL auth"),
	// Redis (WRONGPASS, NOAUTH), object stores (WAL-G, pgBackRest).
	{"authentication failed", ReasonAuth},
	{"no pg_hba.conf entry", ReasonAuth},
	{"no password supplied", ReasonAuth},
	{"failed sasl auth", ReasonAuth},
	{"wrongpass", ReasonAuth},
	{"noauth", ReasonAuth},
	{"invalid username-password", ReasonAuth},
	{"invalid password", ReasonAuth},
	{"accessdenied", ReasonAuth},
	{"invalidaccesskeyid", ReasonAuth},
	{"signaturedoesnotmatch", ReasonAuth},
	{"noperm", ReasonPermission},
	// Too many clients: PostgreSQL ("sorry, too many clients already",
	// "too many connections for role"), Redis; a server starting up or
	// shutting down, or loading its data.
	{"too many clients", ReasonUnavailable},
	{"too many connections", ReasonUnavailable},
	{"max number of clients reached", ReasonUnavailable},
	{"the database system is starting up", ReasonUnavailable},
	{"the database system is shutting down", ReasonUnavailable},
	{"loading the dataset in memory", ReasonUnavailable},
	// Certificates and TLS: pgx, libpq and OpenSSL, and Go's own text once
	// it went through another program's output.
	{"server refused tls connection", ReasonTLS},
	{"server does not support ssl", ReasonTLS},
	{"certificate verify failed", ReasonTLS},
	{"ssl error:", ReasonTLS},
	{"does not match host name", ReasonTLS},
	{"root certificate file", ReasonTLS},
	{"x509: ", ReasonTLS},
	{"tls: failed to verify certificate", ReasonTLS},
}

// MessageReason maps the words of a server's or a client tool's error to
// a reason (authentication refused: auth; too many clients: unavailable;
// a certificate problem: tls), or "" when they say nothing of the kind.
func MessageReason(text string) Reason {
	low := strings.ToLower(text)
	for _, p := range messagePhrases {
		if strings.Contains(low, p.phrase) {
			return p.reason
		}
	}
	if strings.Contains(low, "role \"") && strings.Contains(low, "does not exist") {
		return ReasonAuth // PostgreSQL's answer to a login as an unknown role
	}
	return ""
}

// OutputReason is the reason of an external command that failed, from
// what it printed: auth, unavailable or tls when its words say so (see
// MessageReason), else fallback.
func OutputReason(output string, fallback Reason) Reason {
	if r := MessageReason(output); r != "" {
		return r
	}
	return fallback
}

// StatusConditionReason is the reason of a failed condition on an HTTP
// status (for Report.AssertReason): auth for 401, 403 and 407, "" (that is,
// condition_failed) for any other status.
func StatusConditionReason(code int) Reason {
	if r := HTTPStatusReason(code); r == ReasonAuth {
		return r
	}
	return ""
}

// HTTPStatusReason is the reason of an HTTP answer with an unexpected
// status: auth for 401, 403 and 407 (the credentials were refused or are
// missing), unexpected_status otherwise.
func HTTPStatusReason(code int) Reason {
	switch code {
	case 401, 403, 407:
		return ReasonAuth
	}
	return ReasonUnexpectedStatus
}
