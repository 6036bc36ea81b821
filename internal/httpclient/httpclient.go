// Package httpclient builds the HTTP transport of every check kind that
// speaks HTTP (http, cors, rate_limit, https_redirect and the monitoring
// stack's kinds), so that they all take prometheus/common's client settings
// the same way: the same user agent, the same secret references, the same
// connection policy.
package httpclient

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/golive/golive_exporter/collector"
	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/version"
)

// UserAgent names the exporter in every request it sends.
func UserAgent() string { return "golive_exporter/" + version.Version }

// CloseIdle releases a transport's connections.
func CloseIdle(rt http.RoundTripper) {
	if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// EnvSecrets resolves prometheus/common's *_ref secrets (password_ref,
// credentials_ref, client_secret_ref, TLS key_ref ...) from environment
// variables, the ref being the variable's name: with the *_file forms this
// keeps every secret out of the configuration file. The variable is read on
// every request, like a password_file, so a rotated secret needs no reload.
type EnvSecrets struct{}

// Fetch returns the value of the environment variable name.
func (EnvSecrets) Fetch(_ context.Context, name string) (string, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return "", collector.Failf(collector.ReasonConfig, "environment variable %s (named by a *_ref setting) is not set; set it in the exporter's environment", name)
	}
	return v, nil
}

// probeDialer dials the connections of a run's HTTP/1.1 requests, which
// live as long as the run: without TCP keep-alive, which Go's default
// dialer turns on for every connection at four system calls a connection
// (issue 12: about 5% of the CPU of an http probe), and which only an
// idle connection of more than 15 s would ever use.
var probeDialer = &net.Dialer{KeepAlive: -1}

// transport is one check's round tripper, kept across its runs.
type transport struct{ http.RoundTripper }

func (t transport) Close() error {
	CloseIdle(t.RoundTripper)
	return nil
}

// ForCheck returns the round tripper of check name, built from cfg on first
// use and kept in shared for every run until the configuration is replaced
// (shared nil: a new one, for tests that run a check alone). Building it
// once saves each run the TLS setup (CA files parsed, pools built).
//
// HTTP/1.1 keeps keep-alives off: every run opens, measures and closes a
// connection of its own. HTTP/2 (enable_http2: true) keeps one multiplexed
// connection per check and reuses it: single-use HTTP/2 connections each
// left about 34 KiB on the heap for minutes after they closed (100 HTTPS
// checks grew it by 3 MiB a scrape), a reused one costs the same once.
func ForCheck(shared *collector.Shared, name string, cfg commoncfg.HTTPClientConfig) (http.RoundTripper, error) {
	build := func() (http.RoundTripper, error) {
		opts := []commoncfg.HTTPClientOption{commoncfg.WithUserAgent(UserAgent()), commoncfg.WithSecretManager(EnvSecrets{})}
		if !cfg.EnableHTTP2 {
			opts = append(opts, commoncfg.WithKeepAlivesDisabled(), commoncfg.WithDialContextFunc(probeDialer.DialContext))
		}
		rt, err := commoncfg.NewRoundTripperFromConfigWithContext(context.Background(), cfg, name, opts...)
		if err != nil {
			return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("setting up the HTTP client: %w", err))
		}
		return rt, nil
	}
	if shared == nil {
		return build()
	}
	c, err := shared.Get("http:"+name, func() (io.Closer, error) {
		rt, err := build()
		if err != nil {
			return nil, err
		}
		return transport{rt}, nil
	})
	if err != nil {
		return nil, err
	}
	return c.(transport).RoundTripper, nil
}
