package config

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// masked is what a secret is shown as.
const masked = "<secret>"

// MaskURL returns u with the password of its user info and every value of
// its query string replaced by <secret>; the parameter names stay. Query
// strings carry tokens (?token=, ?api_key=, signed URLs) as often as
// passwords do. u need not parse: a relative URL or a broken one is masked
// the same way.
func MaskURL(u string) string {
	rest, frag, hasFrag := strings.Cut(u, "#")
	base, query, hasQuery := strings.Cut(rest, "?")
	if scheme, after, ok := strings.Cut(base, "://"); ok {
		authority, path := after, ""
		if i := strings.IndexByte(after, '/'); i >= 0 {
			authority, path = after[:i], after[i:]
		}
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			if user, _, ok := strings.Cut(authority[:at], ":"); ok {
				authority = user + ":" + masked + authority[at:]
			}
		}
		base = scheme + "://" + authority + path
	}
	if hasQuery {
		pairs := strings.Split(query, "&")
		for i, p := range pairs {
			if p == "" {
				continue
			}
			if k, _, ok := strings.Cut(p, "="); ok {
				pairs[i] = k + "=" + masked
			} else {
				// A bare value (?abc123) may be the token itself.
				pairs[i] = masked
			}
		}
		base += "?" + strings.Join(pairs, "&")
	}
	if hasFrag {
		base += "#" + frag
	}
	return base
}

// urlInTextRE finds URLs in free text such as an error message: a scheme,
// ://, then everything up to a space or a quote (Go quotes URLs in errors).
var urlInTextRE = regexp.MustCompile("(?i)\\b[a-z][a-z0-9+.\\-]*://[^\\s\"'`]+")

// MaskURLsIn masks (see MaskURL) every URL in text, such as an error
// message that repeats the URL it failed on.
func MaskURLsIn(text string) string {
	if !strings.Contains(text, "://") {
		return text
	}
	return urlInTextRE.ReplaceAllStringFunc(text, MaskURL)
}

// sensitiveHeaderRE matches the names of HTTP headers whose values are
// credentials.
var sensitiveHeaderRE = regexp.MustCompile(`(?i)auth|token|secret|key|cookie|session|passw|signature|credential`)

// maskNode hides, in the encoded configuration, the secrets that are plain
// strings rather than Secret values: the query values and user passwords of
// URLs (keys url and *_url, and any http(s) URL), the values of OAuth2
// endpoint_params, and the values of headers named like credentials.
func maskNode(n *yaml.Node) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			maskNode(c)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, v := n.Content[i].Value, n.Content[i+1]
			switch {
			case key == "endpoint_params" && v.Kind == yaml.MappingNode:
				for j := 1; j < len(v.Content); j += 2 {
					setMasked(v.Content[j])
				}
			case key == "headers" && v.Kind == yaml.MappingNode:
				for j := 0; j+1 < len(v.Content); j += 2 {
					if sensitiveHeaderRE.MatchString(v.Content[j].Value) {
						setMasked(v.Content[j+1])
					}
				}
			case v.Kind == yaml.ScalarNode && (key == "url" || strings.HasSuffix(key, "_url")):
				v.Value = MaskURL(v.Value)
			default:
				maskNode(v)
			}
		}
	case yaml.ScalarNode:
		if l := strings.ToLower(n.Value); strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
			n.Value = MaskURL(n.Value)
		}
	}
}

func setMasked(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode {
		n.Value, n.Tag, n.Style = masked, "!!str", 0
	}
}
