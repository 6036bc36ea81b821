package network

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestReadCertificates(t *testing.T) {
	t.Parallel()
	p := getPKI(t)
	leaf, _ := p.leaf(t, leafOpts{cn: "pem-leaf", notAfter: time.Now().Add(24 * time.Hour)})
	good := pemCert(leaf)
	broken := []byte("-----BEGIN CERTIFICATE-----\nMIIC!!!!not base64!!!!\n-----END CERTIFICATE-----\n")
	key := []byte("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n")
	crlf := bytes.ReplaceAll(append(append([]byte{}, good...), pemCert(p.inter)...), []byte("\n"), []byte("\r\n"))
	cases := []struct {
		name  string
		data  []byte
		certs int
		errs  []string
	}{
		{"one certificate", good, 1, nil},
		{"bundle with a private key", bytes.Join([][]byte{key, good, pemCert(p.inter), pemCert(p.root)}, nil), 3, nil},
		{"CRLF line endings", crlf, 2, nil},
		{"text before the PEM (openssl x509 -text)", append([]byte("Certificate:\n    Data:\n        Version: 3 (0x2)\n"), good...), 1, nil},
		{"broken block then a good one", append(append([]byte{}, broken...), good...), 1, []string{"line 1: CERTIFICATE block: the base64 content is broken"}},
		{"good block then a broken one", append(append([]byte{}, good...), broken...), 1, []string{"CERTIFICATE block: the base64 content is broken"}},
		{"line of a broken block after others", bytes.Join([][]byte{key, good, []byte("-----BEGIN nothing\n"), broken}, nil), 1,
			[]string{fmt.Sprintf("line %d: CERTIFICATE block: the base64 content is broken", 3+bytes.Count(good, []byte("\n"))+2)}},
		{"unterminated block", append(append([]byte{}, good...), []byte("-----BEGIN CERTIFICATE-----\nMIIC\n")...), 1, []string{"no END line"}},
		{"only a private key", key, 0, []string{"no CERTIFICATE block"}},
		{"DER", leaf.Raw, 1, nil},
		{"empty", nil, 0, []string{"no certificate found"}},
		{"garbage", []byte("hello world"), 0, []string{"no certificate found"}},
		{"over the limit", bytes.Repeat(good, 4), 3, []string{"more than 3 certificates"}},
	}
	for _, tc := range cases {
		certs, errs := readCertificates(tc.data, 3)
		assert.Len(t, certs, tc.certs, tc.name)
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		assert.Len(t, errs, len(tc.errs), "%s: %v", tc.name, msgs)
		for i, want := range tc.errs {
			if i < len(msgs) {
				assert.Contains(t, msgs[i], want, tc.name)
			}
		}
		if tc.certs > 0 && strings.HasPrefix(tc.name, "one") {
			assert.Equal(t, leaf.NotAfter, certs[0].NotAfter)
		}
	}
}
