// Package monitoring holds the checks of the monitoring stack itself:
// Prometheus, Alertmanager, Grafana, Loki, a PromQL threshold and the
// readiness of the stack's other services (promtail, node_exporter,
// cAdvisor).
package monitoring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/httpclient"
	"github.com/prometheus/client_golang/prometheus"
)

// maxBody bounds how much of any answer is read: a big Prometheus or
// Alertmanager answer is cut there and reported as invalid, never read whole.
const maxBody = 16 << 20

// client talks to one server of the monitoring stack.
type client struct {
	base string
	hc   *http.Client
}

// newClient builds the check's HTTP client once, through the one factory
// every HTTP-speaking kind uses (secret refs included); its runs share it.
func newClient(env collector.Env, mc *MonitoringClient, name string) (*client, error) {
	rt, err := httpclient.ForCheck(env.Shared, name, mc.HTTPClientConfig)
	if err != nil {
		return nil, err
	}
	return &client{base: mc.BaseURL(), hc: &http.Client{Transport: rt}}, nil
}

// get requests base+path (with query) and returns the status and body.
// Only transport errors are errors: any status is an answer to judge.
func (c *client) get(ctx context.Context, path string, query url.Values) (int, []byte, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("building the request for %s: %w", c.base+path, err))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		// The query may carry a LogQL or PromQL expression: name the path only.
		return 0, nil, fmt.Errorf("requesting %s: %w", c.base+path, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("reading the answer of %s: %w", c.base+path, err)
	}
	if len(body) > maxBody {
		return resp.StatusCode, nil, collector.Failf(collector.ReasonInvalidResponse, "the answer of %s is larger than %d bytes", c.base+path, maxBody)
	}
	return resp.StatusCode, body, nil
}

// getOK is get for APIs that must answer 200; the body of another status is
// summarised in the error.
func (c *client) getOK(ctx context.Context, path string, query url.Values) ([]byte, error) {
	code, body, err := c.get(ctx, path, query)
	if err != nil {
		return nil, err
	}
	if collector.HTTPStatusReason(code) == collector.ReasonAuth {
		return nil, collector.Failf(collector.ReasonAuth, "%s answered %d: give a token (authorization.credentials_file) or basic_auth", c.base+path, code)
	}
	if code != http.StatusOK {
		return nil, collector.Failf(collector.ReasonUnexpectedStatus, "%s answered %d: %s", c.base+path, code, snippet(body))
	}
	return body, nil
}

// fetch gets an API answer that must be 200 and parses it; an answer parse
// refuses is an invalid response, named by what it holds ("targets").
func fetch[T any](ctx context.Context, c *client, path string, query url.Values, what string, parse func([]byte) (T, error)) (T, error) {
	body, err := c.getOK(ctx, path, query)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := parse(body)
	if err != nil {
		return v, collector.WithReason(collector.ReasonInvalidResponse, fmt.Errorf("%s of %s: %w", what, c.base, err))
	}
	return v, nil
}

// ready requests a server's readiness path and records whether it answered
// 200: the gauge desc (0 too when the server could not be reached) and the
// condition name, with the answer as observed. Only a transport error is
// returned.
func (c *client) ready(ctx context.Context, r *collector.Report, path string, desc *prometheus.Desc, name string) (bool, error) {
	code, body, err := c.get(ctx, path, nil)
	if err != nil {
		r.Bool(desc, false)
		return false, err
	}
	ok := code == http.StatusOK
	r.Bool(desc, ok)
	r.AssertReason(collector.StatusConditionReason(code), name, ok, fmt.Sprintf("%s answered %d %s", path, code, snippet(body)), "200")
	return ok, nil
}

// unwrapURLError drops url.Error's "Get <full url>:" prefix, which would
// repeat the query, keeping the cause for ReasonOf.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// snippet shortens a body for an error message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}
