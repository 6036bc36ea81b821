package network

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// pemBlockError says what is wrong with one block of a PEM file.
type pemBlockError struct {
	Line int
	Type string
	Err  error
}

func (e *pemBlockError) Error() string {
	return fmt.Sprintf("line %d: %s block: %v", e.Line, e.Type, e.Err)
}

var errNoCertificates = errors.New("no certificate found: neither a PEM CERTIFICATE block nor DER data")

// readCertificates returns every certificate of a PEM file (a bundle in any
// order) and what went wrong with blocks that could not be read. Blocks of
// other types (private keys, parameters) are skipped. A CERTIFICATE block
// whose base64 is broken is an error, not silently skipped, which
// encoding/pem alone would do. Without any PEM armour the data is tried as
// DER. At most limit certificates are returned.
func readCertificates(data []byte, limit int) ([]*x509.Certificate, []error) {
	const begin, dashes = "-----BEGIN ", "-----"
	var certs []*x509.Certificate
	var errs []error
	sawArmour := false
	off := 0
	// line is the line number of data[counted]; lines are counted on from
	// there, never from the start again (a file of many BEGIN markers
	// would otherwise cost the square of its size).
	line, counted := 1, 0
	for off < len(data) {
		i := bytes.Index(data[off:], []byte(begin))
		if i < 0 {
			break
		}
		start := off + i
		line += bytes.Count(data[counted:start], []byte("\n"))
		counted = start
		lineEnd := bytes.IndexByte(data[start:], '\n')
		if lineEnd < 0 {
			lineEnd = len(data)
		} else {
			lineEnd += start
		}
		head := bytes.TrimRight(data[start:lineEnd], " \t\r")
		if !bytes.HasSuffix(head, []byte(dashes)) || len(head) < len(begin)+len(dashes) {
			off = start + len(begin)
			continue
		}
		sawArmour = true
		typ := string(head[len(begin) : len(head)-len(dashes)])
		endMarker := []byte("-----END " + typ + dashes)
		j := bytes.Index(data[lineEnd:], endMarker)
		if j < 0 {
			errs = append(errs, &pemBlockError{Line: line, Type: typ, Err: errors.New("no END line")})
			break
		}
		blockEnd := lineEnd + j + len(endMarker)
		off = blockEnd
		if typ != "CERTIFICATE" {
			continue
		}
		block, _ := pem.Decode(data[start:blockEnd])
		if block == nil {
			errs = append(errs, &pemBlockError{Line: line, Type: typ, Err: errors.New("the base64 content is broken")})
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			errs = append(errs, &pemBlockError{Line: line, Type: typ, Err: err})
			continue
		}
		if len(certs) >= limit {
			errs = append(errs, fmt.Errorf("more than %d certificates; the rest are not read", limit))
			break
		}
		certs = append(certs, c)
	}
	if !sawArmour {
		der, err := x509.ParseCertificates(data)
		if err != nil || len(der) == 0 {
			return nil, []error{errNoCertificates}
		}
		if len(der) > limit {
			der = der[:limit]
			errs = append(errs, fmt.Errorf("more than %d certificates; the rest are not read", limit))
		}
		return der, errs
	}
	if len(certs) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("the file has PEM blocks but no CERTIFICATE block"))
	}
	return certs, errs
}
