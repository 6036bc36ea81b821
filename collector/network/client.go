package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/golive/golive_exporter/collector"
	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/version"
)

// userAgent names the exporter in every request it sends.
func userAgent() string { return "golive_exporter/" + version.Version }

// newRoundTripper builds a transport from prometheus/common's client
// settings. Keep-alives are off: every run measures a fresh connection and
// leaves no idle connection (nor its goroutines) behind.
func newRoundTripper(ctx context.Context, cfg commoncfg.HTTPClientConfig, name string) (http.RoundTripper, error) {
	rt, err := commoncfg.NewRoundTripperFromConfigWithContext(ctx, cfg, name,
		commoncfg.WithKeepAlivesDisabled(), commoncfg.WithUserAgent(userAgent()),
		commoncfg.WithSecretManager(envSecrets{}))
	if err != nil {
		return nil, fmt.Errorf("setting up the HTTP client: %w", err)
	}
	return rt, nil
}

// checkClientConfig builds a transport once and drops it, so that client
// settings the config loader cannot see (an unreadable ca_file, say) fail
// when the check is set up rather than on every run.
func checkClientConfig(cfg commoncfg.HTTPClientConfig, name string) error {
	rt, err := newRoundTripper(context.Background(), cfg, name)
	if err != nil {
		return err
	}
	closeIdle(rt)
	return nil
}

// envSecrets resolves prometheus/common's *_ref secrets (password_ref,
// credentials_ref, client_secret_ref, TLS key_ref ...) from environment
// variables, the ref being the variable's name: with the *_file forms this
// keeps every secret of an http, cors or rate_limit check out of the
// configuration file. The variable is read on every request, like a
// password_file, so a rotated secret needs no reload.
type envSecrets struct{}

func (envSecrets) Fetch(_ context.Context, name string) (string, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return "", collector.Failf(collector.ReasonConfig, "environment variable %s (named by a *_ref setting) is not set; set it in the exporter's environment", name)
	}
	return v, nil
}

// closeIdle releases a transport's connections.
func closeIdle(rt http.RoundTripper) {
	if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// maxRedirects bounds how many redirects a check follows.
const maxRedirects = 10

// newClient wraps rt; follow says whether redirects are followed, and
// redirects counts them.
func newClient(rt http.RoundTripper, follow bool, redirects *int) *http.Client {
	return &http.Client{
		Transport: rt,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !follow {
				return http.ErrUseLastResponse
			}
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			if redirects != nil {
				*redirects = len(via)
			}
			return nil
		},
	}
}

// readBounded reads at most limit bytes of r; truncated says there was more.
// A huge answer is cut, never read whole.
func readBounded(r io.Reader, limit int64) (body []byte, truncated bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(body)) > limit {
		return body[:limit], true, nil
	}
	if err != nil && errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("the answer ended early: %w", err)
	}
	return body, false, err
}

// discardBody reads a little of an answer whose body does not matter and
// closes it, so the connection ends cleanly.
func discardBody(resp *http.Response) {
	_, _, _ = readBounded(resp.Body, 64<<10)
	resp.Body.Close()
}

// redactURL drops the query string and credentials from a URL for
// messages: they may carry tokens. Only an @ in the authority (before the
// path) ends credentials; one in the path (/users/@me) is kept.
func redactURL(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	s := strings.Index(raw, "://")
	if s < 0 {
		return raw
	}
	authority := raw[s+3:]
	if slash := strings.IndexByte(authority, '/'); slash >= 0 {
		authority = authority[:slash]
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		raw = raw[:s+3] + raw[s+3+at+1:]
	}
	return raw
}
