package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Check is one named check of one kind: exactly one kind key (e.g.
// "http:") with the kind's settings.
type Check struct {
	// Name identifies the check in metrics (label check) and in the checklist.
	Name string `yaml:"name"`
	// Description says in words what the check proves; shown on the board.
	Description string `yaml:"description,omitempty"`
	// Items are the checklist item ids this check proves.
	Items []string `yaml:"items,omitempty"`
	// Timeout bounds one run. Default: global.default_timeout.
	Timeout model.Duration `yaml:"timeout,omitempty"`
	// Interval keeps a result this long before the check runs again; 0 runs
	// it on every scrape. Default 0, and DefaultDatabaseInterval (15s, or the
	// timeout when longer) for the postgres, postgres_migrations,
	// postgres_indexes and sql kinds.
	Interval model.Duration `yaml:"interval,omitempty"`
	// Background runs the check on its own schedule (every interval) instead
	// of on scrapes: for work too slow for a scrape, such as a restore test.
	Background bool `yaml:"background,omitempty"`
	// Links are where a person finds the evidence behind the check: its
	// report, its dashboard, its runbook. The board shows them next to the
	// check. Each URL must be an absolute http(s) URL.
	Links []Link `yaml:"links,omitempty"`

	// registered are the keys of the registered kinds (RegisterKind) the
	// file gives this check, in file order; spec holds the settings of the
	// first.
	registered []string
	spec       Kind
}

// NewCheck returns a check of a registered kind with the settings spec,
// for code and tests that build a check without a file.
func NewCheck(name, key string, spec Kind) *Check {
	c := &Check{Name: name}
	c.setRegistered(key, spec)
	return c
}

// setRegistered records that the check has the registered kind key; the
// settings of the first such kind are its spec.
func (c *Check) setRegistered(key string, spec Kind) {
	if slices.Contains(c.registered, key) {
		return // a key written twice: the decoder reports it
	}
	c.registered = append(c.registered, key)
	if c.spec == nil {
		c.spec = spec
	}
}

// MarshalYAML writes the check with its kind's settings under the kind's
// key, after the check's own keys.
func (c *Check) MarshalYAML() (any, error) {
	type plain Check // without this method
	var n yaml.Node
	if err := n.Encode((*plain)(c)); err != nil {
		return nil, err
	}
	if c.spec != nil {
		var v yaml.Node
		if err := v.Encode(c.spec); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c.registered[0]}, &v)
	}
	return &n, nil
}

// Link is one evidence link of a check.
type Link struct {
	// Title is the link's text on the board, e.g. "Load test report".
	Title string `yaml:"title"`
	// URL is where the link goes: an absolute http or https URL.
	URL string `yaml:"url"`
}

// validateLinks checks a check's links: a title, and an absolute http(s)
// URL on one line (no javascript: or data: URL reaches the board).
func validateLinks(path string, links []Link, p *Problems) {
	for i, l := range links {
		lp := fmt.Sprintf("%s.links[%d]", path, i)
		if strings.TrimSpace(l.Title) == "" {
			p.Addf(lp+".title", "link has no title; add title: the text the board shows, e.g. \"Load test report\"")
		}
		u, err := url.Parse(l.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(l.URL, "\r\n") {
			p.Addf(lp+".url", "link URL %q is not an absolute http(s) URL; give one such as https://grafana.example.com/d/abc", l.URL)
		}
	}
}

// Kinds lists every check kind's YAML key (RegisterKind), sorted.
func Kinds() []string { return registeredKeys() }

// Kind returns the check's kind (its YAML key), or "" when none is set.
func (c *Check) Kind() string {
	if len(c.registered) > 0 {
		return c.registered[0]
	}
	return ""
}

// Spec returns the settings of the check's kind (e.g. *network.HTTPCheck), or nil.
func (c *Check) Spec() any {
	if c.spec == nil {
		return nil
	}
	return c.spec
}
