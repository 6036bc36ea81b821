package config

import (
	"net"
	"strconv"
)

// TCPCheck connects to an address; with Expect "closed" it passes only when
// the port cannot be reached (a database port open to the world is a
// go-live blocker).
type TCPCheck struct {
	// Address is host:port.
	Address string `yaml:"address"`
	// Expect is "open" (default) or "closed".
	Expect string `yaml:"expect,omitempty"`
}

// SetDefaults implements Defaulter.
func (c *TCPCheck) SetDefaults() {
	if c.Expect == "" {
		c.Expect = "open"
	}
}

// Validate implements Validator.
func (c *TCPCheck) Validate(path string, p *Problems) {
	validateHostPort(path+".address", c.Address, p)
	if c.Expect != "open" && c.Expect != "closed" {
		p.Addf(path+".expect", "expect is %q; write open or closed", c.Expect)
	}
}

// validateHostPort checks a host:port address.
func validateHostPort(path, addr string, p *Problems) {
	if addr == "" {
		p.Addf(path, "address is missing; write host:port, e.g. db.example.com:5432")
		return
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		p.Addf(path, "%q is not host:port; write e.g. db.example.com:5432 ([::1]:5432 for IPv6)", addr)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		p.Addf(path, "port %q is not a number from 1 to 65535", port)
	}
}
