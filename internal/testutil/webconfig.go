package testutil

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	toolkitweb "github.com/prometheus/exporter-toolkit/web"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// WebConfig writes an exporter-toolkit web configuration into dir
// (web.yml): TLS with a self-signed certificate for 127.0.0.1 (see
// SelfSignedCert) and basic auth for user with password. It returns the
// file's path and a pool that trusts the certificate.
func WebConfig(t testing.TB, dir, user, password string) (file string, pool *x509.CertPool) {
	t.Helper()
	certFile, keyFile, pool := SelfSignedCert(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	require.NoError(t, err)
	file = filepath.Join(dir, "web.yml")
	require.NoError(t, os.WriteFile(file, []byte("tls_server_config:\n  cert_file: "+certFile+"\n  key_file: "+keyFile+
		"\nbasic_auth_users:\n  "+user+": "+string(hash)+"\n"), 0o600))
	return file, pool
}

// ServeWebConfig serves h as the exporter does (--web.config.file): through
// the exporter-toolkit with the web configuration file webConfig, on a
// loopback port, until the test ends. It returns the address and a client
// that trusts pool.
func ServeWebConfig(t testing.TB, h http.Handler, webConfig string, pool *x509.CertPool) (string, *http.Client) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	// ErrorLog: a test's plain-HTTP requests are expected handshake errors.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	systemd := false
	flags := &toolkitweb.FlagConfig{WebListenAddresses: &[]string{addr}, WebSystemdSocket: &systemd, WebConfigFile: &webConfig}
	served := make(chan error, 1)
	go func() { served <- toolkitweb.Serve(l, srv, flags, slog.New(slog.DiscardHandler)) }()
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		require.NoError(t, srv.Close())
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serving: %v", err)
		}
	})
	return addr, &http.Client{Transport: transport, Timeout: 30 * time.Second}
}

// Status sends GET url with client, with basic auth unless user is empty,
// and returns the status code; the body is read and dropped.
func Status(t testing.TB, client *http.Client, url, user, password string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
