package network

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
)

func TestTLSEndpoints(t *testing.T) {
	t.Parallel()
	p := getPKI(t)
	day := 24 * time.Hour
	now := time.Now()
	cases := []struct {
		name       string
		opts       leafOpts
		serverName string
		extra      string
		status     collector.Status
		verified   float64
		nameMatch  float64
		msg        string
		// reason of a failure: tls for a certificate problem (as every kind
		// says), condition_failed for a certificate that merely expires
		// sooner than min_remaining.
		reason collector.Reason
	}{
		{name: "valid", opts: leafOpts{cn: "valid", notAfter: now.Add(90 * day)}, status: collector.StatusPass, verified: 1, nameMatch: 1},
		{name: "expiring in 5 days", opts: leafOpts{cn: "soon", notAfter: now.Add(5 * day)}, status: collector.StatusFail, verified: 1, nameMatch: 1, msg: "certificate validity left", reason: collector.ReasonConditionFailed},
		{name: "expiring in 20 days warns", opts: leafOpts{cn: "warn", notAfter: now.Add(20 * day)}, status: collector.StatusWarn, verified: 1, nameMatch: 1},
		{name: "expiring in 5 days with lower minimum", opts: leafOpts{cn: "soon2", notAfter: now.Add(5 * day)}, extra: "min_remaining: 2d\nwarn_remaining: 3d", status: collector.StatusPass, verified: 1, nameMatch: 1},
		{name: "expired", opts: leafOpts{cn: "expired", notBefore: now.Add(-30 * day), notAfter: now.Add(-day)}, status: collector.StatusFail, verified: 0, nameMatch: 1, msg: "chain verifies", reason: collector.ReasonTLS},
		{name: "wrong host name", opts: leafOpts{cn: "other", names: []string{"other.example.com"}, notAfter: now.Add(90 * day)}, serverName: "localhost", status: collector.StatusFail, verified: 1, nameMatch: 0, msg: "name matches", reason: collector.ReasonTLS},
		{name: "self-signed", opts: leafOpts{cn: "selfie", selfSigned: true, notAfter: now.Add(90 * day)}, status: collector.StatusFail, verified: 0, nameMatch: 1, msg: "unknown authority", reason: collector.ReasonTLS},
		{name: "incomplete chain", opts: leafOpts{cn: "lonely", noIntermediate: true, notAfter: now.Add(90 * day)}, status: collector.StatusFail, verified: 0, nameMatch: 1, msg: "unknown authority", reason: collector.ReasonTLS},
		{name: "self-signed without verification", opts: leafOpts{cn: "selfie2", selfSigned: true, notAfter: now.Add(90 * day)}, extra: "verify_chain: false", status: collector.StatusPass, verified: 0, nameMatch: 1},
		{name: "not yet valid", opts: leafOpts{cn: "future", notBefore: now.Add(2 * day), notAfter: now.Add(90 * day)}, extra: "verify_chain: false", status: collector.StatusFail, verified: 0, nameMatch: 1, msg: "certificate valid yet", reason: collector.ReasonTLS},
		{name: "SNI override", opts: leafOpts{cn: "api", names: []string{"api.example.com"}, notAfter: now.Add(90 * day)}, serverName: "api.example.com", status: collector.StatusPass, verified: 1, nameMatch: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			leaf, cert := p.leaf(t, tc.opts)
			var sni string
			conf := &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) { sni = h.ServerName; return nil, nil }}
			addr := tlsServer(t, cert, conf)
			settings := "address: " + addr + "\nca_file: " + p.rootFile + "\n"
			if tc.serverName != "" {
				settings += "server_name: " + tc.serverName + "\n"
			}
			settings += tc.extra
			res := runOne(t, "tls", settings)
			assert.Equal(t, tc.status, res.Status, res.Message)
			assert.Contains(t, res.Message, tc.msg)
			if tc.status == collector.StatusFail {
				assert.Equal(t, tc.reason, res.Reason)
			}
			// Expiry is known for every certificate, verified or not.
			na := mustValue(t, res, "golive_tls_cert_not_after_timestamp_seconds", addr, "0", tc.opts.cn, leafIssuer(tc.opts))
			assert.Equal(t, float64(leaf.NotAfter.Unix()), na)
			assert.Equal(t, float64(leaf.NotBefore.Unix()), mustValue(t, res, "golive_tls_cert_not_before_timestamp_seconds", addr, "0", tc.opts.cn, leafIssuer(tc.opts)))
			assert.Equal(t, float64(leaf.NotAfter.Unix()), mustValue(t, res, "golive_tls_earliest_cert_expiry_timestamp_seconds"))
			assert.Equal(t, tc.verified, mustValue(t, res, "golive_tls_chain_verified", addr))
			assert.Equal(t, tc.nameMatch, mustValue(t, res, "golive_tls_name_match", addr))
			assert.Equal(t, 1.0, mustValue(t, res, "golive_tls_version_info", addr, "TLS 1.3"))
			if tc.serverName != "" {
				assert.Equal(t, tc.serverName, sni)
			}
		})
	}
}

func leafIssuer(o leafOpts) string {
	if o.selfSigned {
		return o.cn
	}
	return "golive test intermediate"
}

func TestTLSMinVersion(t *testing.T) {
	t.Parallel()
	p := getPKI(t)
	_, cert := p.leaf(t, leafOpts{cn: "old", notAfter: time.Now().Add(90 * 24 * time.Hour)})
	addr := tlsServer(t, cert, &tls.Config{MaxVersion: tls.VersionTLS12})
	res := runOne(t, "tls", "address: "+addr+"\nca_file: "+p.rootFile+"\nmin_version: TLS13")
	assert.Equal(t, collector.StatusFail, res.Status)
	assert.Contains(t, res.Message, "TLS version: observed TLS 1.2")
	assert.Equal(t, 1.0, mustValue(t, res, "golive_tls_version_info", addr, "TLS 1.2"))
}

// TestTLSHandshakeNeverFinishes: a server that accepts TCP and then says
// nothing makes the check time out, not hang.
func TestTLSHandshakeNeverFinishes(t *testing.T) {
	t.Parallel()
	addr := testutil.ServeTCP(t, func(net.Conn) {})
	res := runOne(t, "tls", "address: "+addr, "    timeout: 300ms\n")
	assert.Equal(t, collector.StatusFail, res.Status)
	assert.Equal(t, collector.ReasonTimeout, res.Reason, res.Message)
}

func TestTLSNotTLS(t *testing.T) {
	t.Parallel()
	s := serve(t, fixed(200, "", "plain"))
	res := runOne(t, "tls", "address: "+s.Listener.Addr().String())
	assert.Equal(t, collector.ReasonTLS, res.Reason, res.Message)
}

// fakePostgres answers an SSLRequest with answer, then (for S) serves TLS.
func fakePostgres(t *testing.T, answer byte, cert tls.Certificate) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go acceptLoop(ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		var msg [8]byte
		if _, err := io.ReadFull(c, msg[:]); err != nil {
			return
		}
		if binary.BigEndian.Uint32(msg[:4]) != 8 || binary.BigEndian.Uint32(msg[4:]) != 80877103 {
			return
		}
		c.Write([]byte{answer})
		if answer == 'S' {
			tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}}).Handshake()
		}
	})
	return ln.Addr().String()
}

func TestTLSPostgresStartTLS(t *testing.T) {
	t.Parallel()
	p := getPKI(t)
	leaf, cert := p.leaf(t, leafOpts{cn: "db", notAfter: time.Now().Add(60 * 24 * time.Hour)})
	addr := fakePostgres(t, 'S', cert)
	res := runOne(t, "tls", "address: "+addr+"\nstarttls: postgres\nca_file: "+p.rootFile)
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	assert.Equal(t, float64(leaf.NotAfter.Unix()), mustValue(t, res, "golive_tls_cert_not_after_timestamp_seconds", addr, "0", "db", "golive test intermediate"))

	res = runOne(t, "tls", "address: "+fakePostgres(t, 'N', cert)+"\nstarttls: postgres")
	assert.Equal(t, collector.ReasonTLS, res.Reason, res.Message)
	assert.Contains(t, res.Message, "ssl = on")

	// Without starttls the server reads the ClientHello as a startup
	// message and the handshake fails.
	res = runOne(t, "tls", "address: "+addr, "    timeout: 1s\n")
	assert.Equal(t, collector.StatusFail, res.Status)
}

// TestTLSRealPostgres runs against the development PostgreSQL, whose TLS is
// switched on (ssl = on).
func TestTLSRealPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL on 127.0.0.1:5432")
	}
	t.Parallel()
	res := runOne(t, "tls", "address: 127.0.0.1:5432\nstarttls: postgres\nverify_chain: false\nmin_remaining: 0s\nwarn_remaining: 0s")
	if res.Reason == collector.ReasonTLS && res.Message != "" {
		t.Logf("PostgreSQL without TLS: %s", res.Message)
	}
	require.Equal(t, collector.StatusPass, res.Status, res.Message)
	_, ok := value(res, "golive_tls_certificates", "127.0.0.1:5432")
	assert.True(t, ok)
}

func TestTLSFiles(t *testing.T) {
	t.Parallel()
	p := getPKI(t)
	dir := t.TempDir()
	leaf, _ := p.leaf(t, leafOpts{cn: "bundle-leaf", notAfter: time.Now().Add(60 * 24 * time.Hour)})
	bundle := append(append([]byte("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIN0=\n-----END EC PRIVATE KEY-----\n"), pemCert(leaf)...), pemCert(p.inter)...)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.pem"), bundle, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.crt"), pemCert(p.root), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.der"), p.inter.Raw, 0o600))

	res := runOne(t, "tls", "files: ['"+dir+"/*.pem', '"+dir+"/*.crt', '"+dir+"/*.der']\nca_file: "+p.rootFile+"\nverify_files: true")
	// c.der verifies as the intermediate signed by the root; b.crt is the
	// root itself; a.pem is leaf + intermediate.
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	a := filepath.Join(dir, "a.pem")
	assert.Equal(t, float64(leaf.NotAfter.Unix()), mustValue(t, res, "golive_tls_cert_not_after_timestamp_seconds", a, "0", "bundle-leaf", "golive test intermediate"))
	assert.Equal(t, float64(p.inter.NotAfter.Unix()), mustValue(t, res, "golive_tls_cert_not_after_timestamp_seconds", a, "1", "golive test intermediate", "golive test root"))
	assert.Equal(t, 2.0, mustValue(t, res, "golive_tls_certificates", a))
	assert.Equal(t, 1.0, mustValue(t, res, "golive_tls_chain_verified", a))
	assert.Equal(t, 1.0, mustValue(t, res, "golive_tls_file_valid", filepath.Join(dir, "c.der")))
	assert.Equal(t, float64(leaf.NotAfter.Unix()), mustValue(t, res, "golive_tls_earliest_cert_expiry_timestamp_seconds"))

	res = runOne(t, "tls", "files: ['"+dir+"/nothing-*.pem']")
	assert.Equal(t, collector.ReasonNotFound, res.Reason, res.Message)
}

// TestTLSLongNameCutAtCharacter: a certificate name longer than the label
// bound is cut between characters, so its series is still exported.
func TestTLSLongNameCutAtCharacter(t *testing.T) {
	t.Parallel()
	p := getPKI(t)
	file := filepath.Join(t.TempDir(), "long.pem")
	leaf, _ := p.leaf(t, leafOpts{cn: strings.Repeat("检", 30), notAfter: time.Now().Add(60 * 24 * time.Hour)}) // 90 bytes; the bound is 64
	require.NoError(t, os.WriteFile(file, pemCert(leaf), 0o600))
	res := runOne(t, "tls", "files: ['"+file+"']")
	assert.Equal(t, float64(leaf.NotAfter.Unix()), mustValue(t, res, "golive_tls_cert_not_after_timestamp_seconds", file, "0", strings.Repeat("检", 21), "golive test intermediate"))
}

// TestTLSCorpus reads every certificate file of the corpus.
func TestTLSCorpus(t *testing.T) {
	t.Parallel()
	dir := testutil.Corpus(t, "certs")
	ts := func(s string) float64 {
		tm, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return float64(tm.Unix())
	}
	cases := []struct {
		file     string
		status   collector.Status
		reason   collector.Reason
		certs    float64
		valid    float64
		notAfter map[string]float64 // "position subject issuer" -> notAfter
	}{
		{file: "certigo-example-expired-selfsigned.crt", status: collector.StatusFail, reason: collector.ReasonTLS, certs: 1, valid: 1,
			notAfter: map[string]float64{"0|example-expired|example-expired": ts("2016-06-11T22:14:12Z")}},
		{file: "prometheus-common-self-signed-client.crt", status: collector.StatusPass, certs: 1, valid: 1,
			notAfter: map[string]float64{"0|localhost|localhost": ts("2072-06-25T09:15:09Z")}},
		{file: "prometheus-common-tls-ca-chain-intermediate-root.pem", status: collector.StatusPass, certs: 2, valid: 1,
			notAfter: map[string]float64{
				"0|Prometheus TLS CA|Prometheus Root CA":  ts("2072-06-25T09:15:06Z"),
				"1|Prometheus Root CA|Prometheus Root CA": ts("2072-06-25T09:15:04Z"),
			}},
		{file: "x509-exporter-corrupted.pem", status: collector.StatusFail, reason: collector.ReasonInvalidResponse, certs: 0, valid: 0},
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, len(cases), "a corpus file has no expected outcome here")
	for _, tc := range cases {
		path := filepath.Join(dir, tc.file)
		res := runOne(t, "tls", "files: ["+path+"]")
		assert.Equal(t, tc.status, res.Status, "%s: %s", tc.file, res.Message)
		if tc.reason != "" {
			assert.Equal(t, tc.reason, res.Reason, tc.file)
		}
		assert.Equal(t, tc.valid, mustValue(t, res, "golive_tls_file_valid", path), tc.file)
		assert.Equal(t, tc.certs, mustValue(t, res, "golive_tls_certificates", path), tc.file)
		for k, want := range tc.notAfter {
			var pos, subj, iss string
			parts := splitN3(k)
			pos, subj, iss = parts[0], parts[1], parts[2]
			assert.Equal(t, want, mustValue(t, res, "golive_tls_cert_not_after_timestamp_seconds", path, pos, subj, iss), "%s %s", tc.file, k)
		}
	}
}

func splitN3(s string) []string {
	out := make([]string, 0, 3)
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '|' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestTLSClientCertificate(t *testing.T) {
	t.Parallel()
	p := getPKI(t)
	_, serverCert := p.leaf(t, leafOpts{cn: "mtls", notAfter: time.Now().Add(90 * 24 * time.Hour)})
	client, clientCert := p.leaf(t, leafOpts{cn: "golive-client", notAfter: time.Now().Add(90 * 24 * time.Hour), clientAuth: true})
	pool := x509.NewCertPool()
	pool.AddCert(p.root)
	pool.AddCert(p.inter)
	seen := make(chan string, 4)
	addr := tlsServer(t, serverCert, &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool,
		VerifyPeerCertificate: func(_ [][]byte, chains [][]*x509.Certificate) error {
			seen <- chains[0][0].Subject.CommonName
			return nil
		}})

	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	require.NoError(t, os.WriteFile(certFile, pemCert(client), 0o600))
	der, err := x509.MarshalPKCS8PrivateKey(clientCert.PrivateKey)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))

	// The server sees and verifies the configured client certificate.
	res := runOne(t, "tls", "address: "+addr+"\nca_file: "+p.rootFile+"\nclient_cert_file: "+certFile+"\nclient_key_file: "+keyFile)
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	select {
	case cn := <-seen:
		assert.Equal(t, "golive-client", cn)
	case <-time.After(5 * time.Second):
		t.Fatal("the server never verified a client certificate")
	}

	res = runOne(t, "tls", "address: "+addr+"\nclient_cert_file: "+certFile+"\nclient_key_file: "+filepath.Join(dir, "missing.key"))
	assert.Equal(t, collector.ReasonConfig, res.Reason, res.Message)
}
