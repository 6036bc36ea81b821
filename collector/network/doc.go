// Package network holds the checks that talk to services over the network:
// http (status, body, JSON and health answers, security headers), cors,
// https_redirect, rate_limit, tls (certificates of endpoints and PEM files,
// also PostgreSQL's TLS) and tcp (ports open or closed).
package network
