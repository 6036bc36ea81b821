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
	if errors.Is(err, fs.ErrNotExist) {
		return ReasonNotFound
	}
	if errors.Is(err, fs.ErrPermission) {
		return ReasonPermission
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
