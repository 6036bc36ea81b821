package network

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/httpclient"
)

var (
	endpointUpDesc = collector.NewDesc("golive_http_endpoint_up",
		"Whether the endpoint answered as required (1: a valid status code and every condition met) or not (0). endpoint is the configured name.", "endpoint")
	endpointStatusDesc = collector.NewDesc("golive_http_endpoint_status_code",
		"HTTP status code of the endpoint's answer (after redirects, when followed); absent when it did not answer.", "endpoint")
	endpointDurationDesc = collector.NewDesc("golive_http_endpoint_duration_seconds",
		"Time from sending the request to having read the endpoint's answer (bounded by max_body_bytes).", "endpoint")
	endpointsFailingDesc = collector.NewDesc("golive_http_endpoints_failing",
		"How many of the check's endpoints did not answer as required.")
)

type httpEndpointsCheck struct {
	cfg       *HTTPEndpointsCheck
	endpoints []*httpCheck
	names     []string
}

func newHTTPEndpoints(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*HTTPEndpointsCheck)
	// The endpoints share the check's client settings, so one transport.
	rt, err := httpclient.ForCheck(env.Shared, c.Name, cfg.Client)
	if err != nil {
		return nil, err
	}
	h := &httpEndpointsCheck{cfg: cfg}
	for _, e := range cfg.Endpoints {
		h.endpoints = append(h.endpoints, &httpCheck{name: c.Name, cfg: e.Request(), rt: rt})
		h.names = append(h.names, e.Name)
	}
	return h, nil
}

// endpointResult is what one endpoint's run found.
type endpointResult struct {
	rep *collector.Report
	err error
}

// Run requests every endpoint (concurrency at a time), each exactly as an
// http check would, and reports each endpoint's figures under its name.
// The endpoint's conditions become the check's, prefixed with its name.
func (h *httpEndpointsCheck) Run(ctx context.Context, r *collector.Report) error {
	results := make([]endpointResult, len(h.endpoints))
	sem := make(chan struct{}, h.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, ep := range h.endpoints {
		wg.Add(1)
		go func(i int, ep *httpCheck) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				results[i] = endpointResult{rep: &collector.Report{}, err: ctx.Err()}
				return
			}
			rep := &collector.Report{}
			results[i] = endpointResult{rep: rep, err: ep.Run(ctx, rep)}
		}(i, ep)
	}
	wg.Wait()

	failing := 0
	reasons := map[collector.Reason]bool{}
	var errs []string
	for i, res := range results {
		name := h.names[i]
		up := res.err == nil
		for _, s := range res.rep.Samples() {
			switch s.Desc {
			case httpStatusCodeDesc:
				r.Gauge(endpointStatusDesc, s.Value, name)
			case httpDurationDesc:
				r.Gauge(endpointDurationDesc, s.Value, name)
			}
		}
		explained := false
		for _, c := range res.rep.Conditions() {
			cname := "endpoint " + name + ": " + c.Name
			if c.Warning {
				r.Warn(cname, c.OK, c.Observed, c.Expected)
				continue
			}
			up = up && c.OK
			explained = explained || !c.OK
			r.AssertReason(c.Reason, cname, c.OK, c.Observed, c.Expected)
		}
		if res.err != nil {
			reasons[collector.ReasonOf(res.err)] = true
			errs = append(errs, name+": "+res.err.Error())
			if !explained {
				// A wrong status or an answer that is not JSON has
				// its condition already; an endpoint that gave no
				// answer gets one here.
				r.Assert("endpoint "+name+" answers", false, shorten(res.err.Error(), 160), "an answer")
			}
		}
		r.Bool(endpointUpDesc, up, name)
		if !up {
			failing++
		}
	}
	r.Gauge(endpointsFailingDesc, float64(failing))
	if len(errs) == len(results) && len(reasons) == 1 {
		// Every endpoint failed the same way (the service is down, the
		// certificate expired): the check fails for that reason.
		for reason := range reasons {
			return collector.Failf(reason, "every endpoint failed: %s", shorten(strings.Join(errs, "; "), 400))
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("requesting %d endpoints: %w", len(results), err)
	}
	return nil
}
