package network

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/config"
)

// Defaults and limits of the firewall check.
const (
	DefaultFirewallConnectTimeout = 3 * time.Second
	MaxFirewallPorts              = 100
)

// FirewallCheck tries TCP connections from the exporter's host to ports
// that must answer and to ports that must be closed (a database port open
// to the world is a go-live blocker). It proves what is reachable from
// where the exporter runs, not from every network.
type FirewallCheck struct {
	// Host is where bare ports in Open and Closed are tried.
	Host string `yaml:"host,omitempty"`
	// Open are ports (or host:port) that must accept a connection.
	Open []string `yaml:"open,omitempty"`
	// Closed are ports (or host:port) that must not: refused, unreachable
	// or no answer within ConnectTimeout (filtered) all count as closed.
	Closed []string `yaml:"closed,omitempty"`
	// ConnectTimeout is how long a connection may take before the port
	// counts as filtered. Default 3s, at most half the check's timeout
	// when that is shorter.
	ConnectTimeout model.Duration `yaml:"connect_timeout,omitempty"`

	open, closed []string
}

// OpenAddresses returns the ports that must answer, as host:port.
func (c *FirewallCheck) OpenAddresses() []string { return c.open }

// ClosedAddresses returns the ports that must be closed, as host:port.
func (c *FirewallCheck) ClosedAddresses() []string { return c.closed }

// Resolve implements config.Resolver: the open and closed entries as
// host:port (Validate reports those that are not), and the connect
// timeout's default, which depends on the check's timeout.
func (c *FirewallCheck) Resolve(cfg *config.Config) {
	scratch := config.NewProblems(cfg) // Validate reports the entries' problems
	c.open, c.closed = c.addresses("", scratch)
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = model.Duration(min(DefaultFirewallConnectTimeout, c.checkTimeout(cfg)/2))
	}
}

// Validate implements config.Kind.
func (c *FirewallCheck) Validate(path string, p *config.Problems) {
	if c.Host != "" && !validHost(c.Host) {
		p.Addf(path+".host", "%q is not a host name or IP address; write e.g. sms.example.edu or 10.0.0.5", c.Host)
	}
	if len(c.Open)+len(c.Closed) == 0 {
		p.Addf(path, "no ports to test; list ports that must answer under open: and ports that must be closed under closed: (e.g. open: [443], closed: [5432, 6379])")
	}
	if n := len(c.Open) + len(c.Closed); n > MaxFirewallPorts {
		p.Addf(path, "%d ports; at most %d per check (each is a series): split them over several checks", n, MaxFirewallPorts)
	}
	c.addresses(path, p)

	timeout := c.checkTimeout(p.Config())
	switch {
	case c.ConnectTimeout < 0:
		p.Addf(path+".connect_timeout", "connect_timeout must not be negative; write e.g. 3s")
	case c.ConnectTimeout == 0:
		// Resolve gave it its default: only a check timeout under 2ns
		// leaves it 0.
	case time.Duration(c.ConnectTimeout) >= timeout:
		p.Addf(path+".connect_timeout", "connect_timeout %s is not shorter than the check's timeout %s; every port is tried at once, each for connect_timeout, so write e.g. connect_timeout: %s",
			c.ConnectTimeout, model.Duration(timeout), model.Duration(timeout/2))
	}
}

// checkTimeout is the timeout of the check whose settings c are
// (config.DefaultTimeout when cfg has no such check).
func (c *FirewallCheck) checkTimeout(cfg *config.Config) time.Duration {
	timeout := time.Duration(config.DefaultTimeout)
	if cfg != nil {
		for _, ch := range cfg.Checks {
			if ch != nil && ch.Spec() == c {
				timeout = time.Duration(ch.Timeout)
			}
		}
	}
	return timeout
}

// addresses turns the open and closed entries into host:port; it reports
// to p, and leaves out, the entries that are not a port or host:port and
// the addresses listed twice or under both.
func (c *FirewallCheck) addresses(path string, p *config.Problems) (open, closed []string) {
	seen := map[string]string{}
	resolve := func(key string, entries []string) []string {
		var out []string
		for i, e := range entries {
			ep := fmt.Sprintf("%s.%s[%d]", path, key, i)
			addr, ok := c.address(ep, e, p)
			if !ok {
				continue
			}
			switch seen[addr] {
			case "":
				seen[addr] = key
				out = append(out, addr)
			case key:
				p.Addf(ep, "%s is listed twice", addr)
			default:
				p.Addf(ep, "%s is also listed under %s; a port is either open or closed", addr, seen[addr])
			}
		}
		return out
	}
	return resolve("open", c.Open), resolve("closed", c.Closed)
}

// address turns an entry (a port, or host:port) into host:port.
func (c *FirewallCheck) address(path, e string, p *config.Problems) (string, bool) {
	e = strings.TrimSpace(e)
	if n, err := strconv.Atoi(e); err == nil {
		if n < 1 || n > 65535 {
			p.Addf(path, "port %q is not a number from 1 to 65535", e)
			return "", false
		}
		if c.Host == "" {
			p.Addf(path, "%q is a bare port and no host: is set; write host:port (e.g. db.example.com:5432) or set host:", e)
			return "", false
		}
		return net.JoinHostPort(c.Host, e), true
	}
	host, port, err := net.SplitHostPort(e)
	if err != nil || host == "" || !validHost(host) {
		p.Addf(path, "%q is not a port or host:port; write e.g. 5432 (with host:) or db.example.com:5432 ([::1]:5432 for IPv6)", e)
		return "", false
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		p.Addf(path, "port %q is not a number from 1 to 65535", port)
		return "", false
	}
	return net.JoinHostPort(host, port), true
}

// validHost accepts an IP address or a DNS name (letters, digits, - _ .).
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}
