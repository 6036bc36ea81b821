package network

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/httpclient"
)

var (
	redirectStatusDesc = collector.NewDesc("golive_https_redirect_status_code",
		"HTTP status code of the plain http:// answer.")
	redirectOKDesc = collector.NewDesc("golive_https_redirect_ok",
		"Whether the plain http:// URL redirects to https:// on the expected host (1) or not (0).")
)

type httpsRedirectCheck struct {
	cfg *HTTPSRedirectCheck
}

func newHTTPSRedirect(c *config.Check, _ collector.Env) (collector.Check, error) {
	return &httpsRedirectCheck{cfg: c.Spec().(*HTTPSRedirectCheck)}, nil
}

// Run requests the plain URL without following the redirect and looks at
// where it points.
func (h *httpsRedirectCheck) Run(ctx context.Context, r *collector.Report) error {
	cfg := h.cfg
	tr := &http.Transport{DisableKeepAlives: true, Proxy: http.ProxyFromEnvironment}
	defer tr.CloseIdleConnections()
	client := newClient(tr, false, nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.URL, nil)
	if err != nil {
		return collector.WithReason(collector.ReasonConfig, err)
	}
	req.Header.Set("User-Agent", httpclient.UserAgent())
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", redactURL(cfg.URL), redactErr(err))
	}
	discardBody(resp)
	r.Gauge(redirectStatusDesc, float64(resp.StatusCode))

	codeOK := slices.Contains(cfg.ValidStatusCodes, resp.StatusCode)
	loc := resp.Header.Get("Location")
	target, locErr := req.URL.Parse(loc)
	toHTTPS := loc != "" && locErr == nil && target.Scheme == "https" && strings.EqualFold(target.Hostname(), cfg.Host)
	r.Bool(redirectOKDesc, codeOK && toHTTPS)
	r.AssertReason(collector.StatusConditionReason(resp.StatusCode), "redirect status", codeOK, strconv.Itoa(resp.StatusCode), joinInts(cfg.ValidStatusCodes))
	observed := "no Location header"
	if loc != "" {
		observed = redactURL(loc)
		if locErr != nil {
			observed += " (not a URL)"
		}
	}
	r.Assert("redirects to https on the same host", toHTTPS, observed, "https://"+cfg.Host+"/...")
	return nil
}

func joinInts(v []int) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}
