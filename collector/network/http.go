package network

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/httpclient"
	"github.com/golive/golive_exporter/internal/human"
)

var (
	httpStatusCodeDesc = collector.NewDesc("golive_http_status_code",
		"HTTP status code of the last answer (after redirects, when followed).")
	httpDurationDesc = collector.NewDesc("golive_http_request_duration_seconds",
		"Time from sending the request to having read the answer's body (bounded by max_body_bytes).")
	httpFirstByteDesc = collector.NewDesc("golive_http_first_byte_duration_seconds",
		"Time from sending the request to the first byte of the answer.")
	httpBodyBytesDesc = collector.NewDesc("golive_http_response_body_bytes",
		"Bytes of the answer's body that were read (at most max_body_bytes).")
	httpBodyTruncatedDesc = collector.NewDesc("golive_http_response_body_truncated",
		"Whether the answer was larger than max_body_bytes and was cut (1) or read whole (0).")
	httpRedirectsDesc = collector.NewDesc("golive_http_redirects",
		"How many redirects were followed.")
	httpHealthStatusDesc = collector.NewDesc("golive_http_health_status_state",
		"The overall status of a health answer: 1 for the state it is in (ok, warning, failed), 0 for the others.", "state")
	httpHealthComponentDesc = collector.NewDesc("golive_http_health_component_state",
		"Each component of a health answer: 1 for the state it is in (ok, warning, failed), 0 for the others. Component names come from the answer, capped at health.max_components.", "component", "state")
	httpHealthComponentsDesc = collector.NewDesc("golive_http_health_components",
		"How many components of the health answer are in each state (all of them, also beyond max_components).", "state")
	httpSecurityHeaderDesc = collector.NewDesc("golive_http_security_header_ok",
		"Whether a security header is present with a sane value (1) or not (0).", "header")
	httpHSTSMaxAgeDesc = collector.NewDesc("golive_http_hsts_max_age_seconds",
		"The max-age of Strict-Transport-Security, when the header is present and valid.")
)

type httpCheck struct {
	name string
	cfg  *HTTPCheck
	rt   http.RoundTripper
}

func newHTTP(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*HTTPCheck)
	rt, err := httpclient.ForCheck(env.Shared, c.Name, cfg.Client)
	if err != nil {
		return nil, err
	}
	return &httpCheck{name: c.Name, cfg: cfg, rt: rt}, nil
}

// Run sends the request once and judges the answer. A wrong status code
// still has its body evaluated (a 503 health answer lists which component
// is down); the check then fails with reason unexpected_status.
func (h *httpCheck) Run(ctx context.Context, r *collector.Report) error {
	cfg := h.cfg
	var redirects int
	client := newClient(h.rt, cfg.Client.FollowRedirects, &redirects)

	req, err := newRequest(ctx, cfg.Method, cfg.URL, cfg.Body, cfg.Headers)
	if err != nil {
		return collector.WithReason(collector.ReasonConfig, err)
	}
	var firstByte time.Duration
	start := time.Now()
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotFirstResponseByte: func() { firstByte = time.Since(start) },
	}))
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", cfg.Method, redactURL(cfg.URL), redactErr(err))
	}
	payload, truncated, readErr := readAnswer(resp, cfg.MaxBodyBytes)
	resp.Body.Close()
	elapsed := time.Since(start)

	r.Gauge(httpStatusCodeDesc, float64(resp.StatusCode))
	r.Gauge(httpFirstByteDesc, firstByte.Seconds())
	r.Gauge(httpRedirectsDesc, float64(redirects))
	if readErr != nil {
		return fmt.Errorf("reading the answer of %s: %w", redactURL(cfg.URL), readErr)
	}
	r.Gauge(httpDurationDesc, elapsed.Seconds())
	r.Gauge(httpBodyBytesDesc, float64(len(payload)))
	r.Bool(httpBodyTruncatedDesc, truncated)

	statusOK := cfg.StatusOK(resp.StatusCode)
	r.AssertReason(collector.StatusConditionReason(resp.StatusCode), "status code", statusOK, strconv.Itoa(resp.StatusCode), cfg.ExpectedStatus())

	if cfg.SecurityHeaders.Enabled() {
		for _, v := range checkSecurityHeaders(resp.Header, cfg.SecurityHeaders) {
			r.Bool(httpSecurityHeaderDesc, v.OK, v.Header)
			r.Assert("security header "+v.Header, v.OK, v.Observed, v.Expected)
		}
		if age, ok := hstsMaxAge(resp.Header.Get("Strict-Transport-Security")); ok {
			r.Gauge(httpHSTSMaxAgeDesc, float64(age))
		}
	}
	checkBodyText(r, cfg, payload, truncated)
	healthNote, jsonErr := h.checkJSON(r, payload, truncated, resp.Header.Get("Content-Type"))

	if !statusOK {
		msg := fmt.Sprintf("%s answered %d, expected %s", redactURL(cfg.URL), resp.StatusCode, cfg.ExpectedStatus())
		if healthNote != "" {
			// The status code is the headline; the health answer says why.
			msg += "; " + healthNote
		}
		return collector.Failf(collector.HTTPStatusReason(resp.StatusCode), "%s", msg)
	}
	return jsonErr
}

// newRequest builds a request with body (none when empty) and headers; a
// Host header sets the request's host.
func newRequest(ctx context.Context, method, rawURL, body string, headers map[string]string) (*http.Request, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return nil, fmt.Errorf("building the request: %w", err)
	}
	for k, v := range headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	return req, nil
}

// redactErr drops the url.Error wrapper, whose text repeats the URL with
// its query string (which may carry a token); the caller names the URL.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// checkBodyText judges the body text conditions. The body stays bytes: a
// string of it would be a second copy of a large answer.
func checkBodyText(r *collector.Report, cfg *HTTPCheck, body []byte, truncated bool) {
	suffix := ""
	if truncated {
		suffix = fmt.Sprintf(" (in the first %d bytes)", cfg.MaxBodyBytes)
	}
	for _, s := range cfg.BodyContains {
		ok := bytes.Contains(body, []byte(s))
		r.Assert(fmt.Sprintf("body contains %q", s), ok, found(ok)+suffix, "found")
	}
	for _, s := range cfg.BodyNotContains {
		ok := !bytes.Contains(body, []byte(s))
		r.Assert(fmt.Sprintf("body does not contain %q", s), ok, found(!ok)+suffix, "not found")
	}
	for _, re := range cfg.BodyMatchRegexps() {
		ok := re.Match(body)
		r.Assert(fmt.Sprintf("body matches %q", re.String()), ok, found(ok)+suffix, "found")
	}
	for _, re := range cfg.BodyNotMatchRegexps() {
		ok := !re.Match(body)
		r.Assert(fmt.Sprintf("body does not match %q", re.String()), ok, found(!ok)+suffix, "not found")
	}
}

func found(b bool) string {
	if b {
		return "found"
	}
	return "not found"
}

// checkJSON evaluates the JSON conditions and the health answer. An answer
// that is not JSON (or was cut) fails them with reason invalid_response.
// healthNote says what is wrong in the health answer, for the message of a
// wrong status code.
func (h *httpCheck) checkJSON(r *collector.Report, payload []byte, truncated bool, contentType string) (healthNote string, err error) {
	cfg := h.cfg
	if len(cfg.JSON) == 0 && !cfg.Health.Enabled() {
		return "", nil
	}
	if truncated {
		r.Assert("answer is JSON", false, fmt.Sprintf("larger than max_body_bytes (%d), cut", cfg.MaxBodyBytes), "a complete JSON answer")
		return "", collector.Failf(collector.ReasonInvalidResponse, "answer is larger than max_body_bytes (%d bytes) and was cut, so it cannot be read as JSON; raise max_body_bytes", cfg.MaxBodyBytes)
	}
	doc, err := parseJSON(payload, contentType)
	if err != nil {
		r.Assert("answer is JSON", false, shorten(err.Error(), 120), "JSON")
		return "", collector.WithReason(collector.ReasonInvalidResponse, err)
	}
	for _, jc := range cfg.JSON {
		ok, obs, exp := evalJSONCondition(doc, &jc)
		r.Assert(jsonConditionName(&jc), ok, obs, exp)
	}
	if cfg.Health.Enabled() {
		return h.checkHealth(r, doc), nil
	}
	return "", nil
}

func jsonConditionName(jc *JSONCondition) string {
	p := jc.Path
	if p == "" {
		p = "(root)"
	}
	return "json " + p
}

// evalJSONCondition judges one JSON condition: ok, what was seen, what was
// wanted.
func evalJSONCondition(doc jsonValue, jc *JSONCondition) (bool, string, string) {
	steps, err := ParseJSONPath(jc.Path)
	if err != nil {
		return false, err.Error(), "a valid path"
	}
	v, present := lookupPath(doc, steps)
	if jc.Exists != nil && !*jc.Exists {
		if present {
			return false, shorten(jsonText(v), 80), "absent"
		}
		return true, "absent", "absent"
	}
	if !present {
		return false, "missing", describeWant(jc)
	}
	text := jsonText(v)
	ok := true
	if jc.Equals != nil && text != *jc.Equals && !numbersEqual(v, *jc.Equals) {
		ok = false
	}
	if re := jc.MatchesRegexp(); re != nil && !re.MatchString(text) {
		ok = false
	}
	return ok, shorten(text, 80), describeWant(jc)
}

// numbersEqual compares a JSON number with the text of a condition
// numerically, so that equals: 1.0 matches 1.
func numbersEqual(v jsonValue, want string) bool {
	if !v.isNumber() {
		return false
	}
	a, err1 := strconv.ParseFloat(string(v), 64)
	b, err2 := strconv.ParseFloat(want, 64)
	return err1 == nil && err2 == nil && a == b
}

func describeWant(jc *JSONCondition) string {
	var parts []string
	if jc.Equals != nil {
		parts = append(parts, *jc.Equals)
	}
	if jc.Matches != nil {
		parts = append(parts, "matching "+jc.Matches.String())
	}
	if len(parts) == 0 {
		return "present"
	}
	return strings.Join(parts, ", ")
}

// checkHealth records the health answer's series and conditions. The
// components' condition comes before the overall status's, so that a
// failing answer's message names the failing components. It returns a
// short note of what is failing (empty when nothing is).
func (h *httpCheck) checkHealth(r *collector.Report, doc jsonValue) string {
	hc := h.cfg.Health
	res, err := evaluateHealth(doc, hc)
	if err != nil {
		r.Assert("health answer", false, shorten(err.Error(), 120), "a health object")
		return ""
	}
	if res.HasStatus {
		for s := stateOK; s <= stateFailed; s++ {
			r.Bool(httpHealthStatusDesc, res.StatusState == s, s.String())
		}
	}
	for s := stateOK; s <= stateFailed; s++ {
		r.Gauge(httpHealthComponentsDesc, float64(res.Counts[s]), s.String())
	}
	for _, c := range res.Components {
		for s := stateOK; s <= stateFailed; s++ {
			r.Bool(httpHealthComponentDesc, c.State == s, c.Name, s.String())
		}
	}
	switch {
	case !res.HasStatus && res.Total() == 0:
		r.Assert("health answer", false, "no status and no components", "a status or components (checks, components, details; also inside an error envelope)")
		return ""
	case hc.RequireComponents && res.Total() == 0:
		r.Assert("health components", false, "none", "at least one component")
	case res.Total() > 0:
		failed := componentNames(res.Failed, res.Judged[stateFailed])
		r.Assert("health components", res.Judged[stateFailed] == 0, summary(res, failed), "all healthy")
		if res.Judged[stateFailed] == 0 && res.Judged[stateWarning] > 0 {
			r.Warn("health components degraded", false, componentNames(res.Warning, res.Judged[stateWarning]), "none degraded")
		}
	}
	if res.HasStatus {
		if res.StatusState == stateWarning && !hc.FailOnDegraded {
			r.Warn("health status", false, res.Status, strings.Join(hc.HealthyValues, ", "))
		} else {
			r.Assert("health status", res.StatusState == stateOK, res.Status, strings.Join(hc.HealthyValues, ", "))
		}
	}
	if res.Total() > hc.MaxComponents {
		r.Warn("health components within max_components", false,
			fmt.Sprintf("%d components", res.Total()), fmt.Sprintf("at most %d (the rest are only counted)", hc.MaxComponents))
	}
	var note []string
	if res.HasStatus && res.StatusState != stateOK {
		note = append(note, "health status "+shorten(res.Status, 40))
	}
	if res.Judged[stateFailed] > 0 {
		note = append(note, "failing components: "+componentNames(res.Failed, res.Judged[stateFailed]))
	}
	return strings.Join(note, "; ")
}

// componentNames lists components as name=value, shortened; total is how
// many there are in all (cs holds the first of them by name).
func componentNames(cs []component, total int) string {
	var parts []string
	for _, c := range cs {
		v := c.Value
		if v == "" {
			v = "no status"
		}
		parts = append(parts, c.Name+"="+v)
	}
	return shorten(human.ListOf(parts, total), 200)
}

// summary counts the components as the verdict judges them.
func summary(res healthResult, failed string) string {
	s := fmt.Sprintf("%d ok, %d warning, %d failed", res.Judged[stateOK], res.Judged[stateWarning], res.Judged[stateFailed])
	if res.Ignored > 0 {
		s += fmt.Sprintf(", %d ignored", res.Ignored)
	}
	if failed != "" {
		s += ": " + failed
	}
	return s
}
