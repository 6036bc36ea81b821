// Package network holds the checks that talk to services over the network:
// http (status, body, JSON and health answers, security headers),
// http_endpoints (a list of endpoints, each judged as by http), cors,
// https_redirect, rate_limit, tls (certificates of endpoints and PEM files,
// also PostgreSQL's TLS), tcp (a port open or closed) and firewall (ports
// that must answer and ports that must be closed, from the exporter's host).
package network
