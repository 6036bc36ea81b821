package config

import (
	"net"
	"strconv"
)

// ValidateHostPort checks a host:port address written at path: the tcp
// and tls kinds' addresses and the Redis targets'.
func ValidateHostPort(path, addr string, p *Problems) {
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
