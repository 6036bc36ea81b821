package network

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/human"
)

// headerVerdict is the outcome of one security header.
type headerVerdict struct {
	Header   string
	OK       bool
	Observed string
	Expected string
}

// saneReferrerPolicies leak at most the origin to other sites, and nothing
// over plain HTTP. unsafe-url and no-referrer-when-downgrade send full URLs
// (with their query strings) to other sites.
var saneReferrerPolicies = map[string]bool{
	"no-referrer": true, "same-origin": true, "strict-origin": true,
	"strict-origin-when-cross-origin": true, "origin": true, "origin-when-cross-origin": false,
}

// allReferrerPolicies are the tokens browsers know; others are ignored.
var allReferrerPolicies = map[string]bool{
	"no-referrer": true, "no-referrer-when-downgrade": true, "same-origin": true, "origin": true,
	"strict-origin": true, "origin-when-cross-origin": true, "strict-origin-when-cross-origin": true, "unsafe-url": true,
}

// checkSecurityHeaders judges each configured header of an answer.
func checkSecurityHeaders(h http.Header, cfg *SecurityHeaders) []headerVerdict {
	out := make([]headerVerdict, 0, len(cfg.Headers))
	for _, name := range cfg.Headers {
		var v headerVerdict
		switch name {
		case HeaderHSTS:
			v = checkHSTS(h.Values("Strict-Transport-Security"), time.Duration(cfg.HSTSMinMaxAge))
		case HeaderFrameOptions:
			v = checkFrameOptions(h.Get("X-Frame-Options"), h.Values("Content-Security-Policy"))
		case HeaderContentTypeOptions:
			got := strings.TrimSpace(h.Get("X-Content-Type-Options"))
			v = headerVerdict{OK: strings.EqualFold(got, "nosniff"), Observed: observed(got), Expected: "nosniff"}
		case HeaderContentSecurity:
			got := strings.TrimSpace(strings.Join(h.Values("Content-Security-Policy"), "; "))
			v = headerVerdict{OK: got != "", Observed: observed(shorten(got, 80)), Expected: "a policy (Content-Security-Policy-Report-Only does not count)"}
		case HeaderReferrerPolicy:
			v = checkReferrerPolicy(h.Values("Referrer-Policy"))
		default:
			continue
		}
		v.Header = name
		out = append(out, v)
	}
	return out
}

func observed(s string) string {
	if s == "" {
		return "missing"
	}
	return s
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return collector.CutUTF8(s, n) + "…"
}

// hstsMaxAge returns the max-age of a Strict-Transport-Security value.
func hstsMaxAge(v string) (int64, bool) {
	for _, d := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		if !strings.EqualFold(strings.TrimSpace(k), "max-age") {
			continue
		}
		n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
		if err != nil || n < 0 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

func checkHSTS(values []string, min time.Duration) headerVerdict {
	want := fmt.Sprintf("max-age >= %d (%s)", int64(min.Seconds()), human.Duration(min))
	if len(values) == 0 {
		return headerVerdict{Observed: "missing", Expected: want}
	}
	// Browsers use the first header when there are several.
	age, ok := hstsMaxAge(values[0])
	if !ok {
		return headerVerdict{Observed: shorten(values[0], 80) + " (no valid max-age)", Expected: want}
	}
	return headerVerdict{OK: age >= int64(min.Seconds()), Observed: fmt.Sprintf("max-age=%d (%s)", age, human.Duration(time.Duration(age)*time.Second)), Expected: want}
}

// cspFrameAncestors returns the frame-ancestors sources of a CSP, and
// whether the directive is present.
func cspFrameAncestors(csps []string) (string, bool) {
	for _, csp := range csps {
		for _, d := range strings.Split(csp, ";") {
			f := strings.Fields(d)
			if len(f) > 0 && strings.EqualFold(f[0], "frame-ancestors") {
				return strings.Join(f[1:], " "), true
			}
		}
	}
	return "", false
}

func checkFrameOptions(xfo string, csps []string) headerVerdict {
	const want = "X-Frame-Options DENY or SAMEORIGIN, or CSP frame-ancestors without *"
	if fa, ok := cspFrameAncestors(csps); ok {
		okFA := fa != "" && !strings.Contains(" "+fa+" ", " * ")
		return headerVerdict{OK: okFA, Observed: "frame-ancestors " + shorten(fa, 60), Expected: want}
	}
	x := strings.ToUpper(strings.TrimSpace(xfo))
	return headerVerdict{OK: x == "DENY" || x == "SAMEORIGIN", Observed: observed(xfo), Expected: want}
}

func checkReferrerPolicy(values []string) headerVerdict {
	const want = "no-referrer, same-origin, strict-origin, strict-origin-when-cross-origin or origin"
	// The last policy the browser knows wins (a list gives fallbacks).
	policy := ""
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.ToLower(strings.TrimSpace(t))
			if allReferrerPolicies[t] {
				policy = t
			}
		}
	}
	if policy == "" {
		raw := strings.Join(values, ", ")
		if raw != "" {
			raw += " (no known policy)"
		}
		return headerVerdict{Observed: observed(raw), Expected: want}
	}
	return headerVerdict{OK: saneReferrerPolicies[policy], Observed: policy, Expected: want}
}
