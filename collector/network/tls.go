package network

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/human"
)

var (
	tlsNotAfterDesc = collector.NewDesc("golive_tls_cert_not_after_timestamp_seconds",
		"When a certificate expires (notAfter), as a Unix timestamp. Reported for every certificate, also when the chain does not verify.",
		"source", "position", "subject_cn", "issuer_cn")
	tlsNotBeforeDesc = collector.NewDesc("golive_tls_cert_not_before_timestamp_seconds",
		"When a certificate becomes valid (notBefore), as a Unix timestamp.",
		"source", "position", "subject_cn", "issuer_cn")
	tlsEarliestDesc = collector.NewDesc("golive_tls_earliest_cert_expiry_timestamp_seconds",
		"The earliest notAfter among the certificates the expiry condition counts (an endpoint's verified chain, or every certificate presented when it does not verify; every certificate of the files).")
	tlsChainVerifiedDesc = collector.NewDesc("golive_tls_chain_verified",
		"Whether the certificate chain verifies against the system roots or ca_file (1) or not (0).", "source")
	tlsNameMatchDesc = collector.NewDesc("golive_tls_name_match",
		"Whether the endpoint's certificate is valid for the server name (1) or not (0).", "source")
	tlsVersionDesc = collector.NewDesc("golive_tls_version_info",
		"The TLS version the endpoint negotiated (always 1).", "source", "version")
	tlsHandshakeDesc = collector.NewDesc("golive_tls_handshake_duration_seconds",
		"How long connecting and the TLS handshake took.", "source")
	tlsCertsDesc = collector.NewDesc("golive_tls_certificates",
		"How many certificates the endpoint presented or the file holds.", "source")
	tlsFileValidDesc = collector.NewDesc("golive_tls_file_valid",
		"Whether a certificate file was read without errors (1) or has broken blocks or no certificate (0).", "source")
)

type tlsCheck struct {
	cfg *TLSCheck
}

func newTLS(c *config.Check, _ collector.Env) (collector.Check, error) {
	return &tlsCheck{cfg: c.Spec().(*TLSCheck)}, nil
}

// certSource is a set of certificates from one endpoint or file.
type certSource struct {
	name  string
	certs []*x509.Certificate
	// counted are the certificates the expiry condition looks at.
	counted []*x509.Certificate
}

// maxCertFileBytes bounds how much of a certificate file is read.
const maxCertFileBytes = 4 << 20

// Run inspects the endpoint and the files. Problems with one source do not
// hide the others; the first one decides the failure's reason.
func (t *tlsCheck) Run(ctx context.Context, r *collector.Report) error {
	cfg := t.cfg
	now := time.Now()
	var roots *x509.CertPool
	if cfg.CAFile != "" {
		pool, err := loadPool(cfg.CAFile)
		if err != nil {
			return collector.WithReason(collector.ReasonConfig, err)
		}
		roots = pool
	}
	var sources []certSource
	var errs []error
	budget := MaxTLSCertificates
	if cfg.Address != "" {
		src, err := t.endpoint(ctx, r, roots, now)
		if err != nil {
			errs = append(errs, err)
		} else {
			sources = append(sources, src)
			budget -= len(src.certs)
		}
	}
	files, err := expandFiles(cfg.Files)
	if err != nil {
		errs = append(errs, err)
	}
	for _, f := range files {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		if budget <= 0 {
			errs = append(errs, collector.Failf(collector.ReasonConfig, "more than %d certificates in one check; split the files over several checks", MaxTLSCertificates))
			break
		}
		src, err := t.file(r, f, roots, now, budget)
		budget -= len(src.certs)
		if len(src.certs) > 0 {
			sources = append(sources, src)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	t.expiry(r, sources, now)
	if len(errs) > 0 {
		if len(errs) == 1 {
			return errs[0]
		}
		return &collector.Failure{Reason: collector.ReasonOf(errs[0]), Err: errors.Join(errs...)}
	}
	return nil
}

func loadPool(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading ca_file: %w", err)
	}
	certs, errs := readCertificates(data, MaxTLSCertificates)
	if len(errs) > 0 {
		return nil, fmt.Errorf("reading ca_file %s: %w", path, errors.Join(errs...))
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// expandFiles resolves the globs, in a stable order; a glob that matches
// nothing is an error (a moved certificate must not pass unnoticed).
func expandFiles(globs []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	var missing []string
	for _, g := range globs {
		m, err := filepath.Glob(g)
		if err != nil {
			return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("glob %s: %w", g, err))
		}
		if len(m) == 0 {
			missing = append(missing, g)
		}
		sort.Strings(m)
		for _, f := range m {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	if len(missing) > 0 {
		return out, collector.Failf(collector.ReasonNotFound, "no certificate file matches %s", strings.Join(missing, ", "))
	}
	return out, nil
}

func (t *tlsCheck) file(r *collector.Report, path string, roots *x509.CertPool, now time.Time, limit int) (certSource, error) {
	src := certSource{name: path}
	data, err := readFileBounded(path, maxCertFileBytes)
	if err != nil {
		r.Bool(tlsFileValidDesc, false, path)
		return src, err
	}
	certs, errs := readCertificates(data, limit)
	src.certs, src.counted = certs, certs
	r.Bool(tlsFileValidDesc, len(errs) == 0, path)
	r.Gauge(tlsCertsDesc, float64(len(certs)), path)
	recordCerts(r, path, certs)
	if len(certs) > 0 {
		_, verr := verifyChain(certs, roots, now)
		r.Bool(tlsChainVerifiedDesc, verr == nil, path)
		if t.cfg.VerifyFiles {
			r.AssertReason(collector.ReasonTLS, "chain verifies: "+path, verr == nil, errText(verr), "verified against "+rootsName(t.cfg.CAFile))
		}
	}
	if len(errs) > 0 {
		return src, collector.Failf(collector.ReasonInvalidResponse, "certificate file %s: %v", path, errors.Join(errs...))
	}
	return src, nil
}

func readFileBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading certificate file: %w", err)
	}
	defer f.Close()
	data, truncated, err := readBounded(f, limit)
	if err != nil {
		return nil, fmt.Errorf("reading certificate file %s: %w", path, err)
	}
	if truncated {
		return nil, collector.Failf(collector.ReasonInvalidResponse, "certificate file %s is larger than %d bytes; is it really a certificate?", path, limit)
	}
	return data, nil
}

// endpoint connects (after an SSLRequest for PostgreSQL), completes the
// handshake without verifying, then verifies the chain and the name itself:
// so that expiry is known even for a certificate that does not verify.
func (t *tlsCheck) endpoint(ctx context.Context, r *collector.Report, roots *x509.CertPool, now time.Time) (certSource, error) {
	cfg := t.cfg
	src := certSource{name: cfg.Address}
	serverName := cfg.ServerName
	if serverName == "" {
		serverName, _, _ = net.SplitHostPort(cfg.Address)
	}
	tlsConf := &tls.Config{
		ServerName: serverName,
		// Verification is done below, by hand, so that an expired or
		// untrusted certificate is still inspected.
		InsecureSkipVerify: true, //nolint:gosec
		MinVersion:         tls.VersionTLS10,
	}
	if cfg.ClientCertFile != "" {
		pair, err := tls.LoadX509KeyPair(cfg.ClientCertFile, cfg.ClientKeyFile)
		if err != nil {
			return src, collector.WithReason(collector.ReasonConfig, fmt.Errorf("loading the client certificate: %w", err))
		}
		tlsConf.Certificates = []tls.Certificate{pair}
	}
	start := time.Now()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", cfg.Address)
	if err != nil {
		return src, fmt.Errorf("connecting to %s: %w", cfg.Address, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if cfg.StartTLS == "postgres" {
		if err := postgresSSLRequest(conn); err != nil {
			return src, fmt.Errorf("%s: %w", cfg.Address, err)
		}
	}
	tc := tls.Client(conn, tlsConf)
	if err := tc.HandshakeContext(ctx); err != nil {
		return src, collector.WithReason(handshakeReason(ctx, err), fmt.Errorf("TLS handshake with %s: %w", cfg.Address, err))
	}
	elapsed := time.Since(start)
	state := tc.ConnectionState()
	tc.Close()

	r.Gauge(tlsHandshakeDesc, elapsed.Seconds(), cfg.Address)
	r.Gauge(tlsVersionDesc, 1, cfg.Address, tls.VersionName(state.Version))
	certs := state.PeerCertificates
	if len(certs) > MaxTLSCertificates {
		certs = certs[:MaxTLSCertificates]
	}
	src.certs = certs
	r.Gauge(tlsCertsDesc, float64(len(certs)), cfg.Address)
	if len(certs) == 0 {
		return src, collector.Failf(collector.ReasonTLS, "%s presented no certificate", cfg.Address)
	}
	recordCerts(r, cfg.Address, certs)

	chain, verr := verifyChain(certs, roots, now)
	nameErr := certs[0].VerifyHostname(serverName)
	r.Bool(tlsChainVerifiedDesc, verr == nil, cfg.Address)
	r.Bool(tlsNameMatchDesc, nameErr == nil, cfg.Address)
	if verr == nil {
		src.counted = chain
	} else {
		src.counted = certs
	}
	minV := TLSVersions[cfg.MinVersion]
	r.Assert("TLS version", state.Version >= minV, tls.VersionName(state.Version), "at least "+tls.VersionName(minV))
	if *cfg.VerifyChain {
		r.AssertReason(collector.ReasonTLS, "chain verifies", verr == nil, errText(verr), "verified against "+rootsName(cfg.CAFile))
		r.AssertReason(collector.ReasonTLS, "name matches", nameErr == nil, errText(nameErr), "valid for "+serverName)
	}
	return src, nil
}

// handshakeReason tells a hung handshake (timeout) from a refused one.
func handshakeReason(ctx context.Context, err error) collector.Reason {
	if ctx.Err() != nil || collector.ReasonOf(err) == collector.ReasonTimeout {
		return collector.ReasonTimeout
	}
	return collector.ReasonTLS
}

// postgresSSLRequest asks a PostgreSQL server to switch to TLS, as libpq
// does: an 8-byte SSLRequest, answered by S (go ahead) or N (no TLS).
func postgresSSLRequest(conn net.Conn) error {
	var msg [8]byte
	binary.BigEndian.PutUint32(msg[0:4], 8)
	binary.BigEndian.PutUint32(msg[4:8], 80877103)
	if _, err := conn.Write(msg[:]); err != nil {
		return fmt.Errorf("sending SSLRequest: %w", err)
	}
	var answer [1]byte
	if _, err := io.ReadFull(conn, answer[:]); err != nil {
		return fmt.Errorf("reading the answer to SSLRequest: %w", err)
	}
	switch answer[0] {
	case 'S':
		return nil
	case 'N':
		return collector.Failf(collector.ReasonTLS, "the server does not offer TLS (answered N to SSLRequest); set ssl = on in postgresql.conf")
	default:
		return collector.Failf(collector.ReasonInvalidResponse, "unexpected answer %q to SSLRequest; is this a PostgreSQL server?", answer[0])
	}
}

// verifyChain verifies certs[0] with the rest as intermediates, returning
// the verified chain.
func verifyChain(certs []*x509.Certificate, roots *x509.CertPool, now time.Time) ([]*x509.Certificate, error) {
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	chains, err := certs[0].Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, err
	}
	return chains[0], nil
}

func rootsName(caFile string) string {
	if caFile == "" {
		return "the system roots"
	}
	return caFile
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return shorten(err.Error(), 160)
}

// maxLabelLen bounds the certificate names used as label values.
const maxLabelLen = 64

// subjectName is a certificate's subject common name, or its first DNS
// name, or its whole subject, shortened for a label.
func subjectName(c *x509.Certificate) string {
	return labelName(c.Subject.CommonName, c.DNSNames, c.Subject.String())
}

// issuerName is a certificate's issuer common name, or its whole issuer,
// shortened for a label.
func issuerName(c *x509.Certificate) string {
	return labelName(c.Issuer.CommonName, nil, c.Issuer.String())
}

// labelName is n, or the first of dns, or full, cut to maxLabelLen bytes.
func labelName(n string, dns []string, full string) string {
	switch {
	case n != "":
	case len(dns) > 0:
		n = dns[0]
	default:
		n = full
	}
	return collector.CutUTF8(n, maxLabelLen)
}

func recordCerts(r *collector.Report, source string, certs []*x509.Certificate) {
	for i, c := range certs {
		labels := []string{source, strconv.Itoa(i), subjectName(c), issuerName(c)}
		r.Gauge(tlsNotAfterDesc, float64(c.NotAfter.Unix()), labels...)
		r.Gauge(tlsNotBeforeDesc, float64(c.NotBefore.Unix()), labels...)
	}
}

// expiry asserts the validity left of the earliest-expiring counted
// certificate, and that none is not yet valid.
func (t *tlsCheck) expiry(r *collector.Report, sources []certSource, now time.Time) {
	var earliest *x509.Certificate
	var earliestSrc string
	for _, s := range sources {
		for _, c := range s.counted {
			if earliest == nil || c.NotAfter.Before(earliest.NotAfter) {
				earliest, earliestSrc = c, s.name
			}
			if c.NotBefore.After(now) {
				r.AssertReason(collector.ReasonTLS, "certificate valid yet", false,
					fmt.Sprintf("%s (%s) valid from %s", subjectName(c), s.name, c.NotBefore.UTC().Format(time.RFC3339)), "notBefore in the past")
			}
		}
	}
	if earliest == nil {
		return
	}
	r.Gauge(tlsEarliestDesc, float64(earliest.NotAfter.Unix()))
	left := earliest.NotAfter.Sub(now)
	name := subjectName(earliest)
	obs := fmt.Sprintf("%s left for %s (%s), expires %s", human.Duration(left), name, earliestSrc, earliest.NotAfter.UTC().Format(time.RFC3339))
	if left < 0 {
		obs = fmt.Sprintf("%s (%s) expired %s ago, on %s", name, earliestSrc, human.Duration(-left), earliest.NotAfter.UTC().Format(time.RFC3339))
	}
	minLeft, warnLeft := time.Duration(t.cfg.MinRemaining), time.Duration(t.cfg.WarnRemaining)
	// An expired certificate is a certificate problem (tls, as every kind
	// that meets one says); one that expires too soon is a threshold.
	var expired collector.Reason
	if left < 0 {
		expired = collector.ReasonTLS
	}
	r.AssertReason(expired, "certificate validity left", left >= minLeft, obs, "at least "+human.Duration(minLeft))
	if left >= minLeft {
		r.Warn("certificate validity left (warning)", left >= warnLeft, obs, "at least "+human.Duration(warnLeft))
	}
}
