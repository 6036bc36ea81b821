package network

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// testPKI is a root CA and an intermediate CA made for one test run.
type testPKI struct {
	root, inter       *x509.Certificate
	rootKey, interKey crypto.Signer
	rootFile          string
}

var (
	pkiOnce sync.Once
	pki     *testPKI
	serial  int64 = 100
	serMu   sync.Mutex
)

func nextSerial() *big.Int {
	serMu.Lock()
	defer serMu.Unlock()
	serial++
	return big.NewInt(serial)
}

func newKey(t testing.TB) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

func makeCert(t testing.TB, tmpl *x509.Certificate, parent *x509.Certificate, key crypto.Signer, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

func getPKI(t testing.TB) *testPKI {
	pkiOnce.Do(func() {
		p := &testPKI{rootKey: newKey(t), interKey: newKey(t)}
		now := time.Now()
		p.root = makeCert(t, &x509.Certificate{
			SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: "golive test root"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		}, nil, p.rootKey, nil)
		p.inter = makeCert(t, &x509.Certificate{
			SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: "golive test intermediate"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(5 * 365 * 24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		}, p.root, p.interKey, p.rootKey)
		dir, err := os.MkdirTemp("", "golive-pki")
		require.NoError(t, err)
		p.rootFile = filepath.Join(dir, "root.pem")
		require.NoError(t, os.WriteFile(p.rootFile, pemCert(p.root), 0o600))
		pki = p
	})
	require.NotNil(t, pki)
	return pki
}

// leafOpts describes a server certificate.
type leafOpts struct {
	cn         string
	names      []string
	notBefore  time.Time
	notAfter   time.Time
	selfSigned bool
	// noIntermediate sends only the leaf (an incomplete chain).
	noIntermediate bool
	// clientAuth makes a client certificate.
	clientAuth bool
}

// leaf makes a server certificate and the tls.Certificate a server presents.
func (p *testPKI) leaf(t testing.TB, o leafOpts) (*x509.Certificate, tls.Certificate) {
	key := newKey(t)
	if o.notBefore.IsZero() {
		o.notBefore = time.Now().Add(-time.Hour)
	}
	if o.names == nil {
		o.names = []string{"localhost"}
	}
	tmpl := &x509.Certificate{
		SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: o.cn},
		NotBefore: o.notBefore, NotAfter: o.notAfter, DNSNames: o.names,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if o.clientAuth {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	var c *x509.Certificate
	chain := [][]byte{}
	if o.selfSigned {
		c = makeCert(t, tmpl, nil, key, nil)
		chain = append(chain, c.Raw)
	} else {
		c = makeCert(t, tmpl, p.inter, key, p.interKey)
		chain = append(chain, c.Raw)
		if !o.noIntermediate {
			chain = append(chain, p.inter.Raw)
		}
	}
	return c, tls.Certificate{Certificate: chain, PrivateKey: key}
}

// tlsServer accepts TLS connections with cert until the test ends.
func tlsServer(t testing.TB, cert tls.Certificate, conf *tls.Config) string {
	t.Helper()
	if conf == nil {
		conf = &tls.Config{}
	}
	conf.Certificates = []tls.Certificate{cert}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", conf)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go acceptLoop(ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.(*tls.Conn).Handshake()
	})
	return ln.Addr().String()
}

func acceptLoop(ln net.Listener, handle func(net.Conn)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			handle(c)
		}()
	}
}
