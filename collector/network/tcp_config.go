package network

import "github.com/golive/golive_exporter/config"

// TCPCheck connects to an address; with Expect "closed" it passes only when
// the port cannot be reached (a database port open to the world is a
// go-live blocker).
type TCPCheck struct {
	// Address is host:port.
	Address string `yaml:"address"`
	// Expect is "open" (default) or "closed".
	Expect string `yaml:"expect,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *TCPCheck) SetDefaults() {
	if c.Expect == "" {
		c.Expect = "open"
	}
}

// Validate implements config.Kind.
func (c *TCPCheck) Validate(path string, p *config.Problems) {
	config.ValidateHostPort(path+".address", c.Address, p)
	if c.Expect != "open" && c.Expect != "closed" {
		p.Addf(path+".expect", "expect is %q; write open or closed", c.Expect)
	}
}
