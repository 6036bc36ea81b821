package network

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/httpclient"
)

var (
	corsPreflightAllowedDesc = collector.NewDesc("golive_cors_preflight_allowed",
		"Whether a preflight from the production origin is allowed (1) or not (0).")
	corsPreflightStatusDesc = collector.NewDesc("golive_cors_preflight_status_code",
		"HTTP status code of the preflight from the production origin.")
	corsForeignEchoedDesc = collector.NewDesc("golive_cors_foreign_origin_allowed",
		"Whether a foreign origin is echoed or allowed with credentials (1, a hole) or not (0).", "request")
	corsWildcardCredsDesc = collector.NewDesc("golive_cors_wildcard_with_credentials",
		"Whether an answer allows origin * together with credentials (1, refused by browsers and a sign of a broken policy) or not (0).")
)

type corsCheck struct {
	name string
	cfg  *CORSCheck
	rt   http.RoundTripper
}

func newCORS(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*CORSCheck)
	rt, err := httpclient.ForCheck(env.Shared, c.Name, cfg.Client)
	if err != nil {
		return nil, err
	}
	return &corsCheck{name: c.Name, cfg: cfg, rt: rt}, nil
}

// corsAnswer is the CORS part of an answer.
type corsAnswer struct {
	status      int
	allowOrigin string
	credentials bool
	methods     []string
	headers     []string
}

func (c *corsCheck) send(ctx context.Context, client *http.Client, method, origin string, preflight bool) (corsAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.URL, nil)
	if err != nil {
		return corsAnswer{}, collector.WithReason(collector.ReasonConfig, err)
	}
	req.Header.Set("Origin", origin)
	if preflight {
		req.Header.Set("Access-Control-Request-Method", c.cfg.Method)
		if len(c.cfg.RequestHeaders) > 0 {
			req.Header.Set("Access-Control-Request-Headers", strings.ToLower(strings.Join(c.cfg.RequestHeaders, ",")))
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return corsAnswer{}, fmt.Errorf("sending %s from %s to %s: %w", method, origin, redactURL(c.cfg.URL), redactErr(err))
	}
	discardBody(resp)
	return corsAnswer{
		status:      resp.StatusCode,
		allowOrigin: strings.TrimSpace(resp.Header.Get("Access-Control-Allow-Origin")),
		credentials: strings.EqualFold(strings.TrimSpace(resp.Header.Get("Access-Control-Allow-Credentials")), "true"),
		methods:     splitList(resp.Header.Values("Access-Control-Allow-Methods")),
		headers:     splitList(resp.Header.Values("Access-Control-Allow-Headers")),
	}, nil
}

func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// safelistedMethods need not be listed in Access-Control-Allow-Methods.
var safelistedMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true}

// Run sends three requests: a preflight from the production origin, a
// preflight from a foreign origin, and a plain GET from the foreign origin
// (servers that echo Origin often do so on every answer).
func (c *corsCheck) Run(ctx context.Context, r *collector.Report) error {
	cfg := c.cfg
	client := newClient(c.rt, false, nil)

	allowed, err := c.send(ctx, client, http.MethodOptions, cfg.Origin, true)
	if err != nil {
		return err
	}
	r.Gauge(corsPreflightStatusDesc, float64(allowed.status))
	ok, why := preflightAllows(allowed, cfg)
	r.Bool(corsPreflightAllowedDesc, ok)
	r.AssertReason(collector.StatusConditionReason(allowed.status), "preflight from "+cfg.Origin+" allowed", ok, why, fmt.Sprintf("2xx, Access-Control-Allow-Origin %s, method %s allowed", cfg.Origin, cfg.Method))

	foreignPre, err := c.send(ctx, client, http.MethodOptions, cfg.ForeignOrigin, true)
	if err != nil {
		return err
	}
	foreignGet, err := c.send(ctx, client, http.MethodGet, cfg.ForeignOrigin, false)
	if err != nil {
		return err
	}
	for _, x := range []struct {
		name string
		a    corsAnswer
	}{{"preflight", foreignPre}, {"get", foreignGet}} {
		bad, obs := foreignAllowed(x.a, cfg.ForeignOrigin)
		r.Bool(corsForeignEchoedDesc, bad, x.name)
		r.Assert(fmt.Sprintf("foreign origin not allowed (%s)", x.name), !bad, obs, "Access-Control-Allow-Origin not "+cfg.ForeignOrigin)
	}
	wild := false
	for _, a := range []corsAnswer{allowed, foreignPre, foreignGet} {
		wild = wild || (a.allowOrigin == "*" && a.credentials)
	}
	r.Bool(corsWildcardCredsDesc, wild)
	obs := "no"
	if wild {
		obs = "Access-Control-Allow-Origin * with Access-Control-Allow-Credentials true"
	}
	r.Assert("no wildcard origin with credentials", !wild, obs, "no")
	return nil
}

// preflightAllows applies the browser's checks (Fetch standard, CORS check
// and preflight method and header checks).
func preflightAllows(a corsAnswer, cfg *CORSCheck) (bool, string) {
	obs := fmt.Sprintf("status %d, Access-Control-Allow-Origin %q", a.status, a.allowOrigin)
	if a.status < 200 || a.status > 299 {
		return false, obs
	}
	if a.allowOrigin != cfg.Origin && a.allowOrigin != "*" {
		return false, obs
	}
	if a.allowOrigin == "*" && a.credentials {
		return false, obs + " with credentials"
	}
	wildcardOK := !a.credentials && containsFold(a.methods, "*")
	if !safelistedMethods[cfg.Method] && !containsFold(a.methods, cfg.Method) && !wildcardOK {
		return false, obs + fmt.Sprintf(", methods %q do not include %s", strings.Join(a.methods, ", "), cfg.Method)
	}
	for _, h := range cfg.RequestHeaders {
		starOK := !a.credentials && containsFold(a.headers, "*") && !strings.EqualFold(h, "Authorization")
		if !containsFold(a.headers, h) && !starOK {
			return false, obs + fmt.Sprintf(", headers %q do not include %s", strings.Join(a.headers, ", "), h)
		}
	}
	return true, obs
}

// foreignAllowed reports a foreign origin that is echoed back (or null,
// which sandboxed pages can send).
func foreignAllowed(a corsAnswer, foreign string) (bool, string) {
	switch {
	case a.allowOrigin == "":
		return false, "no Access-Control-Allow-Origin"
	case strings.EqualFold(a.allowOrigin, foreign):
		return true, "echoed " + a.allowOrigin
	case a.allowOrigin == "null":
		return true, "allows origin null"
	}
	return false, "Access-Control-Allow-Origin " + a.allowOrigin
}
