// Package httpclient builds the HTTP transport of every check kind that
// speaks HTTP (http, cors, rate_limit, https_redirect and the monitoring
// stack's kinds), so that they all take prometheus/common's client settings
// the same way: the same user agent, the same secret references, the same
// connection policy.
package httpclient

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/golive/golive_exporter/collector"
	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/version"
)

// UserAgent names the exporter in every request it sends.
func UserAgent() string { return "golive_exporter/" + version.Version }

// NewRoundTripper builds a transport from prometheus/common's client
// settings, with the secret manager that resolves the *_ref forms.
// Keep-alives are off: every run measures a fresh connection and leaves no
// idle connection (nor its goroutines) behind.
func NewRoundTripper(ctx context.Context, cfg commoncfg.HTTPClientConfig, name string) (http.RoundTripper, error) {
	rt, err := commoncfg.NewRoundTripperFromConfigWithContext(ctx, cfg, name,
		commoncfg.WithKeepAlivesDisabled(), commoncfg.WithUserAgent(UserAgent()),
		commoncfg.WithSecretManager(EnvSecrets{}))
	if err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("setting up the HTTP client: %w", err))
	}
	return rt, nil
}

// Check builds a transport once and drops it, so that client settings the
// config loader cannot see (an unreadable ca_file, say) fail when the check
// is set up rather than on every run.
func Check(cfg commoncfg.HTTPClientConfig, name string) error {
	rt, err := NewRoundTripper(context.Background(), cfg, name)
	if err != nil {
		return err
	}
	CloseIdle(rt)
	return nil
}

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
