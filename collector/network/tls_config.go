package network

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/config"
)

// Defaults and limits of the TLS check.
const (
	DefaultTLSWarnRemaining = 30 * 24 * time.Hour
	DefaultTLSMinRemaining  = 7 * 24 * time.Hour
	MaxTLSCertificates      = 100
)

// TLSCheck inspects the certificates of a TLS endpoint and/or PEM files.
// Expiry is reported for every certificate, even when the chain does not
// verify.
type TLSCheck struct {
	// Address is the endpoint, host:port.
	Address string `yaml:"address,omitempty"`
	// ServerName is the name sent as SNI and checked against the
	// certificate. Default: the host of address.
	ServerName string `yaml:"server_name,omitempty"`
	// StartTLS is "" (TLS from the first byte) or postgres (an SSLRequest
	// before the handshake, as PostgreSQL clients do).
	StartTLS string `yaml:"starttls,omitempty"`
	// Files are PEM files or globs (e.g. /etc/ssl/app/*.pem).
	Files []string `yaml:"files,omitempty"`
	// CAFile holds the roots the chain is verified against. Default: the
	// system roots.
	CAFile string `yaml:"ca_file,omitempty"`
	// VerifyChain fails the check when an endpoint's chain does not
	// verify or its name does not match. Default true.
	VerifyChain *bool `yaml:"verify_chain,omitempty"`
	// VerifyFiles fails the check when a file's chain (first certificate,
	// the rest as intermediates) does not verify. Default false: a file is
	// often a CA bundle.
	VerifyFiles bool `yaml:"verify_files,omitempty"`
	// MinRemaining fails the check when a certificate expires sooner.
	// Default 7d.
	MinRemaining model.Duration `yaml:"min_remaining,omitempty"`
	// WarnRemaining warns when a certificate expires sooner. Default 30d.
	WarnRemaining model.Duration `yaml:"warn_remaining,omitempty"`
	// MinVersion is the least TLS version the endpoint may negotiate:
	// TLS10, TLS11, TLS12 (default) or TLS13.
	MinVersion string `yaml:"min_version,omitempty"`
	// ClientCertFile and ClientKeyFile present a client certificate.
	ClientCertFile string `yaml:"client_cert_file,omitempty"`
	ClientKeyFile  string `yaml:"client_key_file,omitempty"`
}

// TLSVersions maps the min_version spellings to their numbers.
var TLSVersions = map[string]uint16{"TLS10": 0x0301, "TLS11": 0x0302, "TLS12": 0x0303, "TLS13": 0x0304}

// SetDefaults implements config.Defaulter.
func (c *TLSCheck) SetDefaults() {
	if c.VerifyChain == nil {
		t := true
		c.VerifyChain = &t
	}
	if c.MinRemaining == 0 {
		c.MinRemaining = model.Duration(DefaultTLSMinRemaining)
	}
	if c.WarnRemaining == 0 {
		c.WarnRemaining = model.Duration(DefaultTLSWarnRemaining)
	}
	if c.MinVersion == "" {
		c.MinVersion = "TLS12"
	}
}

// Resolve implements config.Resolver: relative files are relative to the
// configuration file.
func (c *TLSCheck) Resolve(cfg *config.Config) {
	cfg.ResolvePaths(c.Files)
	c.CAFile = cfg.ResolvePath(c.CAFile)
	c.ClientCertFile = cfg.ResolvePath(c.ClientCertFile)
	c.ClientKeyFile = cfg.ResolvePath(c.ClientKeyFile)
}

// Validate implements config.Kind.
func (c *TLSCheck) Validate(path string, p *config.Problems) {
	if c.Address == "" && len(c.Files) == 0 {
		p.Addf(path, "nothing to inspect; give address: host:port and/or files: [PEM files or globs]")
	}
	if c.Address != "" {
		config.ValidateHostPort(path+".address", c.Address, p)
	}
	switch c.StartTLS {
	case "", "postgres":
	default:
		p.Addf(path+".starttls", "starttls is %q; write postgres, or leave it out for TLS from the first byte", c.StartTLS)
	}
	if c.StartTLS != "" && c.Address == "" {
		p.Addf(path+".starttls", "starttls needs an address")
	}
	for i, f := range c.Files {
		if _, err := filepath.Match(f, ""); err != nil {
			p.Addf(fmt.Sprintf("%s.files[%d]", path, i), "%q is not a valid glob: %v", f, err)
		}
	}
	if (c.ClientCertFile == "") != (c.ClientKeyFile == "") {
		p.Addf(path, "client_cert_file and client_key_file go together; give both or neither")
	}
	if c.MinRemaining < 0 || c.WarnRemaining < 0 {
		p.Addf(path+".min_remaining", "min_remaining and warn_remaining must not be negative; write e.g. 7d and 30d")
	}
	if c.WarnRemaining < c.MinRemaining {
		p.Addf(path+".warn_remaining", "warn_remaining %s is shorter than min_remaining %s; the warning would never show", c.WarnRemaining, c.MinRemaining)
	}
	if _, ok := TLSVersions[c.MinVersion]; !ok {
		p.Addf(path+".min_version", "min_version is %q; write TLS10, TLS11, TLS12 or TLS13", c.MinVersion)
	}
}
