package rules

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DefaultRunbookBase is where the committed rule files point: the runbooks
// in rules/runbooks/ of the main branch.
const DefaultRunbookBase = "https://github.com/golive/golive_exporter/blob/main/rules/runbooks/"

// Links are where alerts send people: the runbooks and the readiness board.
type Links struct {
	// RunbookBase is the URL that "<alert>.md" is appended to; empty keeps
	// DefaultRunbookBase. A wiki or an internal mirror of rules/runbooks.
	RunbookBase string
	// BoardURL, when set, is added to every alert as the board_url
	// annotation: the exporter's readiness board (its external URL).
	BoardURL string
}

var releaseRE = regexp.MustCompile(`^v?(\d+\.\d+\.\d+)$`)

// ReleaseRunbookBase returns the runbooks shipped with release version v
// (its tag), or DefaultRunbookBase for a development build.
func ReleaseRunbookBase(v string) string {
	m := releaseRE.FindStringSubmatch(v)
	if m == nil {
		return DefaultRunbookBase
	}
	return strings.Replace(DefaultRunbookBase, "/blob/main/", "/blob/v"+m[1]+"/", 1)
}

// runbookLine is an alert's runbook_url annotation as the rule files write
// it (one line, the default base); the tests keep the files that way.
var runbookLine = regexp.MustCompile(`(?m)^(\s+)runbook_url: ` + regexp.QuoteMeta(DefaultRunbookBase) + `(\w+)\.md$`)

// httpURL checks that s is an absolute http(s) URL on one line.
func httpURL(what, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, "\r\n") {
		return fmt.Errorf("%s %q is not an absolute http(s) URL", what, s)
	}
	return nil
}

// Rendered returns the bundle's rule files, keyed by file name, with the
// links applied; Links{} gives the files as committed.
func Rendered(l Links) (map[string][]byte, error) {
	if l.RunbookBase != "" {
		if err := httpURL("the runbook base", l.RunbookBase); err != nil {
			return nil, err
		}
	}
	base := runbookBase(l.RunbookBase)
	if l.BoardURL != "" {
		if err := httpURL("the board URL", l.BoardURL); err != nil {
			return nil, err
		}
	}
	out := map[string][]byte{}
	for _, name := range FileNames() {
		b, err := Files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if base != DefaultRunbookBase || l.BoardURL != "" {
			b = runbookLine.ReplaceAllFunc(b, func(line []byte) []byte {
				m := runbookLine.FindSubmatch(line)
				indent, alert := string(m[1]), string(m[2])
				s := indent + "runbook_url: " + yamlString(RunbookURL(base, alert))
				if l.BoardURL != "" {
					s += "\n" + indent + "board_url: " + yamlString(l.BoardURL)
				}
				return []byte(s)
			})
		}
		out[name] = b
	}
	return out, nil
}

// yamlString writes s as YAML: plain when it cannot be misread, else as a
// JSON string (valid YAML double-quoted).
func yamlString(s string) string {
	if !strings.ContainsAny(s, " #'\"\\{}[],&*!|>%@`") {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// failingKinds finds the kinds a "check failing" alert fires for in its
// expression.
var failingKinds = regexp.MustCompile(`golive_check_success\{kind=~"([a-z_|]+)"\}`)

// FailingAlerts maps each check kind to the alert that fires when a check
// of that kind fails (GoLiveEndpointCheckFailing for tcp), read from the
// bundle's rules; a kind no such alert covers is absent. The board links
// each check to that alert's runbook.
func FailingAlerts() (map[string]string, error) {
	out := map[string]string{}
	for _, name := range FileNames() {
		b, err := Files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f struct {
			Groups []struct {
				Rules []struct {
					Alert string `yaml:"alert"`
					Expr  string `yaml:"expr"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("rule file %s: %w", name, err)
		}
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				if !strings.HasSuffix(r.Alert, "CheckFailing") {
					continue
				}
				m := failingKinds.FindStringSubmatch(r.Expr)
				if m == nil {
					continue
				}
				for _, k := range strings.Split(m[1], "|") {
					if _, dup := out[k]; !dup {
						out[k] = r.Alert
					}
				}
			}
		}
	}
	return out, nil
}

// RunbookURL is the runbook of alert under base (DefaultRunbookBase when
// empty).
func RunbookURL(base, alert string) string {
	return runbookBase(base) + alert + ".md"
}

// runbookBase is base as the runbooks' folder: DefaultRunbookBase when
// empty, and ending in "/". Rendered and RunbookURL (the board's links)
// both go through it, so the rule files and the board agree.
func runbookBase(base string) string {
	if base == "" {
		return DefaultRunbookBase
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base
}
