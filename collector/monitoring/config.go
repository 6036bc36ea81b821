package monitoring

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// The monitoring-stack kinds: their settings live here, beside the
// checks, and register under their keys with their factories.
func init() {
	collector.RegisterKind("prometheus", func() config.Kind { return new(PrometheusCheck) }, newPrometheus)
	collector.RegisterKind("alertmanager", func() config.Kind { return new(AlertmanagerCheck) }, newAlertmanager)
	collector.RegisterKind("grafana", func() config.Kind { return new(GrafanaCheck) }, newGrafana)
	collector.RegisterKind("loki", func() config.Kind { return new(LokiCheck) }, newLoki)
	collector.RegisterKind("promql", func() config.Kind { return new(PromQLCheck) }, newPromQL)
	collector.RegisterKind("service_ready", func() config.Kind { return new(ServiceReadyCheck) }, newServiceReady)
}

var (
	_ config.Kind      = (*PrometheusCheck)(nil)
	_ config.Defaulter = (*PrometheusCheck)(nil)
	_ config.Kind      = (*AlertmanagerCheck)(nil)
	_ config.Defaulter = (*AlertmanagerCheck)(nil)
	_ config.Kind      = (*GrafanaCheck)(nil)
	_ config.Defaulter = (*GrafanaCheck)(nil)
	_ config.Kind      = (*LokiCheck)(nil)
	_ config.Defaulter = (*LokiCheck)(nil)
	_ config.Kind      = (*PromQLCheck)(nil)
	_ config.Defaulter = (*PromQLCheck)(nil)
	_ config.Resolver  = (*PromQLCheck)(nil)
	_ config.Kind      = (*ServiceReadyCheck)(nil)
)

// sortedKeys returns the keys of m in order, for stable messages.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// Defaults of the monitoring-stack checks.
const (
	// DefaultRuleGroupPrefix names the rule groups of the shipped bundle
	// (rules/*.rules.yml): every group is called "golive.<area>".
	DefaultRuleGroupPrefix = "golive."
	// DefaultMaxHeadAge is how old the newest sample in Prometheus' head
	// may be before ingestion counts as stalled.
	DefaultMaxHeadAge = 5 * time.Minute
	// DefaultWatchdogAlertname is the always-firing heartbeat alert.
	DefaultWatchdogAlertname = "Watchdog"
	// DefaultLokiWindow is how far back error lines are counted.
	DefaultLokiWindow = time.Hour
	// DefaultLokiSelector selects every stream.
	DefaultLokiSelector = `{job=~".+"}`
	// DefaultLokiLineFilter matches error-level lines in logfmt and JSON logs.
	DefaultLokiLineFilter = `(?i)(level=|"level":\s*")(error|err|crit|critical|fatal|panic)\b`
)

// BundleDashboardUIDs are the uids of the shipped Grafana dashboards.
var BundleDashboardUIDs = []string{"golive-readiness", "golive-day", "golive-first-week"}

// MonitoringClient is what every monitoring-stack check shares: the base
// URL of the server and prometheus/common's HTTP client settings written
// inline (authorization with credentials_file for a token, basic_auth,
// tls_config, proxy_url ...).
type MonitoringClient struct {
	// URL is the server's base URL, e.g. http://prometheus:9090 (a path
	// prefix such as /prometheus is kept).
	URL string `yaml:"url"`

	// HTTPClientConfig is a named field, not an embedded one: embedding
	// would promote its UnmarshalYAML and swallow the other keys.
	HTTPClientConfig commoncfg.HTTPClientConfig `yaml:",inline"`
}

// BaseURL returns URL without a trailing slash.
func (c *MonitoringClient) BaseURL() string { return strings.TrimRight(c.URL, "/") }

// Resolve implements config.Resolver: the client's files are relative to
// the configuration file.
func (c *MonitoringClient) Resolve(cfg *config.Config) { cfg.ResolveClient(&c.HTTPClientConfig) }

func (c *MonitoringClient) validate(path string, p *config.Problems) {
	config.ValidateURL(path+".url", c.URL, "", p)
	config.ValidateClient(path, &c.HTTPClientConfig, p)
}

// PrometheusCheck checks a Prometheus server: ready, its targets up, the
// bundle's rule groups loaded and evaluating without errors, and samples
// still being ingested.
type PrometheusCheck struct {
	MonitoringClient `yaml:",inline"`
	// RuleGroups are rule group names that must be loaded. Default: every
	// group of the shipped bundle (rules/*.rules.yml) while RuleGroupPrefix
	// is the bundle's; with another prefix, at least one group with it.
	RuleGroups []string `yaml:"rule_groups,omitempty"`
	// RuleGroupPrefix selects the groups whose rules must evaluate without
	// errors. Default "golive.".
	RuleGroupPrefix string `yaml:"rule_group_prefix,omitempty"`
	// SkipRules turns off the rule checks (a Prometheus without the bundle).
	SkipRules bool `yaml:"skip_rules,omitempty"`
	// MaxDownTargets is how many active targets may be down. Default 0.
	MaxDownTargets int `yaml:"max_down_targets,omitempty"`
	// IgnoreJobs are jobs whose down targets do not count.
	IgnoreJobs []string `yaml:"ignore_jobs,omitempty"`
	// MaxHeadAge is how old the newest ingested sample may be. Default 5m.
	MaxHeadAge model.Duration `yaml:"max_head_age,omitempty"`
}

// UnmarshalYAML applies the HTTP client defaults first.
func (c *PrometheusCheck) UnmarshalYAML(n *yaml.Node) error {
	type plain PrometheusCheck
	return config.DecodeWithClientDefaults(n, &c.HTTPClientConfig, (*plain)(c))
}

// SetDefaults implements config.Defaulter.
func (c *PrometheusCheck) SetDefaults() {
	if c.RuleGroupPrefix == "" {
		c.RuleGroupPrefix = DefaultRuleGroupPrefix
	}
	if c.MaxHeadAge <= 0 {
		c.MaxHeadAge = model.Duration(DefaultMaxHeadAge)
	}
}

// Validate implements config.Kind.
func (c *PrometheusCheck) Validate(path string, p *config.Problems) {
	c.validate(path, p)
	if c.MaxDownTargets < 0 {
		p.Addf(path+".max_down_targets", "max_down_targets is %d; write 0 or more", c.MaxDownTargets)
	}
}

// AlertmanagerCheck checks an Alertmanager: ready, cluster settled,
// receivers configured, the Watchdog arriving, and no alert firing at the
// listed severities (silenced and inhibited alerts and the Watchdog do not
// count).
type AlertmanagerCheck struct {
	MonitoringClient `yaml:",inline"`
	// Receivers are receiver names that must be configured.
	Receivers []string `yaml:"receivers,omitempty"`
	// WatchdogAlertname names the always-firing alert. Default "Watchdog".
	WatchdogAlertname string `yaml:"watchdog_alertname,omitempty"`
	// RequireWatchdog fails the check when the Watchdog is not arriving.
	// Default true.
	RequireWatchdog *bool `yaml:"require_watchdog,omitempty"`
	// MaxFiring is how many alerts may fire per severity. Default
	// {critical: 0, warning: 0}; severities not listed are only counted.
	MaxFiring map[string]int `yaml:"max_firing,omitempty"`
}

// UnmarshalYAML applies the HTTP client defaults first.
func (c *AlertmanagerCheck) UnmarshalYAML(n *yaml.Node) error {
	type plain AlertmanagerCheck
	return config.DecodeWithClientDefaults(n, &c.HTTPClientConfig, (*plain)(c))
}

// SetDefaults implements config.Defaulter.
func (c *AlertmanagerCheck) SetDefaults() {
	if c.WatchdogAlertname == "" {
		c.WatchdogAlertname = DefaultWatchdogAlertname
	}
	if c.RequireWatchdog == nil {
		t := true
		c.RequireWatchdog = &t
	}
	if c.MaxFiring == nil {
		c.MaxFiring = map[string]int{"critical": 0, "warning": 0}
	}
}

// Validate implements config.Kind.
func (c *AlertmanagerCheck) Validate(path string, p *config.Problems) {
	c.validate(path, p)
	for _, sev := range sortedKeys(c.MaxFiring) {
		if n := c.MaxFiring[sev]; n < 0 {
			p.Addf(path+".max_firing."+sev, "max_firing is %d; write 0 or more", n)
		}
	}
}

// GrafanaCheck checks Grafana: healthy (database ok) and the dashboards
// present. The search API needs a token: give it with
// authorization: {credentials_file: /run/secrets/grafana-token}.
type GrafanaCheck struct {
	MonitoringClient `yaml:",inline"`
	// DashboardUIDs must exist. Default: the bundle's three dashboards; an
	// explicit empty list checks health only.
	DashboardUIDs *[]string `yaml:"dashboard_uids,omitempty"`
}

// UnmarshalYAML applies the HTTP client defaults first.
func (c *GrafanaCheck) UnmarshalYAML(n *yaml.Node) error {
	type plain GrafanaCheck
	return config.DecodeWithClientDefaults(n, &c.HTTPClientConfig, (*plain)(c))
}

// SetDefaults implements config.Defaulter.
func (c *GrafanaCheck) SetDefaults() {
	if c.DashboardUIDs == nil {
		uids := append([]string(nil), BundleDashboardUIDs...)
		c.DashboardUIDs = &uids
	}
}

// Validate implements config.Kind.
func (c *GrafanaCheck) Validate(path string, p *config.Problems) {
	c.validate(path, p)
	if c.DashboardUIDs != nil {
		for i, u := range *c.DashboardUIDs {
			if strings.TrimSpace(u) == "" {
				p.Addf(path+".dashboard_uids", "entry %d is empty; write a dashboard uid", i)
			}
		}
	}
}

// LokiCheck checks Loki: ready, and the count of error-level log lines over
// a window at most MaxErrors.
type LokiCheck struct {
	MonitoringClient `yaml:",inline"`
	// Query is a LogQL metric query returning the error count; it replaces
	// the one built from Selector, LineFilter and Window.
	Query string `yaml:"query,omitempty"`
	// Selector picks the streams. Default {job=~".+"}.
	Selector string `yaml:"selector,omitempty"`
	// LineFilter is the RE2 expression an error line matches.
	LineFilter string `yaml:"line_filter,omitempty"`
	// Window is how far back lines are counted. Default 1h.
	Window model.Duration `yaml:"window,omitempty"`
	// MaxErrors is how many error lines are allowed. Default 0.
	MaxErrors int `yaml:"max_errors,omitempty"`
	// SkipQuery checks readiness only (promtail-less Loki, or no logs yet).
	SkipQuery bool `yaml:"skip_query,omitempty"`
	// MinLines is how many lines (any level) the selected streams must have
	// received over the window: proof that logs are being ingested. Default
	// 1; 0 turns the condition off.
	MinLines *int `yaml:"min_lines,omitempty"`
}

// IngestLogQL returns the query counting every line of the selected
// streams over the window.
func (c *LokiCheck) IngestLogQL() string {
	return "sum(count_over_time(" + c.Selector + " [" + c.Window.String() + "]))"
}

// UnmarshalYAML applies the HTTP client defaults first.
func (c *LokiCheck) UnmarshalYAML(n *yaml.Node) error {
	type plain LokiCheck
	return config.DecodeWithClientDefaults(n, &c.HTTPClientConfig, (*plain)(c))
}

// SetDefaults implements config.Defaulter.
func (c *LokiCheck) SetDefaults() {
	if c.Selector == "" {
		c.Selector = DefaultLokiSelector
	}
	if c.LineFilter == "" {
		c.LineFilter = DefaultLokiLineFilter
	}
	if c.Window <= 0 {
		c.Window = model.Duration(DefaultLokiWindow)
	}
	if c.MinLines == nil {
		one := 1
		c.MinLines = &one
	}
}

// LogQL returns the query the check runs.
func (c *LokiCheck) LogQL() string {
	if c.Query != "" {
		return c.Query
	}
	return "sum(count_over_time(" + c.Selector + " |~ `" + c.LineFilter + "` [" + c.Window.String() + "]))"
}

// Validate implements config.Kind.
func (c *LokiCheck) Validate(path string, p *config.Problems) {
	c.validate(path, p)
	if c.MaxErrors < 0 {
		p.Addf(path+".max_errors", "max_errors is %d; write 0 or more", c.MaxErrors)
	}
	if c.MinLines != nil && *c.MinLines < 0 {
		p.Addf(path+".min_lines", "min_lines is %d; write 0 or more", *c.MinLines)
	}
	if !strings.HasPrefix(strings.TrimSpace(c.Selector), "{") {
		p.Addf(path+".selector", "selector %q is not a LogQL stream selector; write e.g. {job=\"app\"}", c.Selector)
	}
	if strings.Contains(c.LineFilter, "`") {
		p.Addf(path+".line_filter", "line_filter must not contain a backtick")
	}
}

// PromQLCheck runs an instant query against Prometheus and compares every
// returned value with the bounds: for the checklist's rule items (CPU <
// 80%, p95 < 500 ms ...) to show in check and on the board.
type PromQLCheck struct {
	MonitoringClient `yaml:",inline"`
	// Query is the PromQL expression.
	Query string `yaml:"query"`
	// Max is the largest allowed value (inclusive).
	Max *float64 `yaml:"max,omitempty"`
	// Min is the smallest allowed value (inclusive).
	Min *float64 `yaml:"min,omitempty"`
	// OnEmpty is the outcome when the query returns nothing: fail (default)
	// or pass (for queries written as "alert when any series").
	OnEmpty string `yaml:"on_empty,omitempty"`
	// Unit formats values in the check's output: "" (plain), percent
	// (a 0..1 ratio), seconds or bytes.
	Unit string `yaml:"unit,omitempty"`
	// At evaluates the query at a fixed time instead of now: go_live, an
	// offset from it (go_live+7d: the end of the first week, for the
	// success criteria judged over it), or an RFC 3339 time. Until that
	// time comes the query is evaluated now.
	At string `yaml:"at,omitempty"`

	at time.Time
}

// EvalTime is when the query is evaluated: At when set and reached, else
// now. fixed says At is set (and, with reached false, not reached yet).
func (c *PromQLCheck) EvalTime(now time.Time) (t time.Time, fixed, reached bool) {
	if c.at.IsZero() {
		return now, false, true
	}
	if c.at.After(now) {
		return now, true, false
	}
	return c.at, true, true
}

// AtTime is the resolved At (zero when unset).
func (c *PromQLCheck) AtTime() time.Time { return c.at }

// Resolve implements config.Resolver: At becomes a time, relative to
// checklist.go_live when written so.
func (c *PromQLCheck) Resolve(cfg *config.Config) {
	c.MonitoringClient.Resolve(cfg)
	c.at, _ = c.atTime(cfg)
}

// atTime is the time At names in cfg, or what is wrong with it in words
// (zero and "" when At is not set).
func (c *PromQLCheck) atTime(cfg *config.Config) (time.Time, string) {
	at := strings.TrimSpace(c.At)
	if at == "" {
		return time.Time{}, ""
	}
	if rest, ok := strings.CutPrefix(at, "go_live"); ok {
		off, err := config.ParseOffset(strings.TrimSpace(rest))
		switch {
		case strings.TrimSpace(rest) != "" && err != nil:
			return time.Time{}, fmt.Sprintf("%q: %v", c.At, err)
		case cfg == nil || cfg.Checklist.GoLive.IsZero():
			return time.Time{}, fmt.Sprintf("%s needs checklist.go_live; set the go-live time there, or write an RFC 3339 time", at)
		default:
			return cfg.Checklist.GoLive.Add(time.Duration(off)).UTC(), ""
		}
	}
	if t, err := time.Parse(time.RFC3339, at); err == nil {
		return t.UTC(), ""
	}
	return time.Time{}, fmt.Sprintf("%q is not a time; write go_live, go_live+7d (an offset from checklist.go_live) or an RFC 3339 time such as 2026-12-08T08:00:00Z", c.At)
}

// UnmarshalYAML applies the HTTP client defaults first.
func (c *PromQLCheck) UnmarshalYAML(n *yaml.Node) error {
	type plain PromQLCheck
	return config.DecodeWithClientDefaults(n, &c.HTTPClientConfig, (*plain)(c))
}

// SetDefaults implements config.Defaulter.
func (c *PromQLCheck) SetDefaults() {
	if c.OnEmpty == "" {
		c.OnEmpty = "fail"
	}
}

// Validate implements config.Kind.
func (c *PromQLCheck) Validate(path string, p *config.Problems) {
	c.validate(path, p)
	if strings.TrimSpace(c.Query) == "" {
		p.Addf(path+".query", "query is missing; write a PromQL expression, e.g. 1 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[5m]))")
	}
	if c.Max == nil && c.Min == nil {
		p.Addf(path, "neither max nor min is set; write max: 0.8 (or min:) so the check has a threshold")
	}
	if c.Max != nil && c.Min != nil && *c.Min > *c.Max {
		p.Addf(path+".min", "min %g is above max %g", *c.Min, *c.Max)
	}
	if c.OnEmpty != "fail" && c.OnEmpty != "pass" {
		p.Addf(path+".on_empty", "on_empty is %q; write fail or pass", c.OnEmpty)
	}
	switch c.Unit {
	case "", "percent", "seconds", "bytes":
	default:
		p.Addf(path+".unit", "unit is %q; write percent, seconds or bytes (or leave it out)", c.Unit)
	}
	if _, problem := c.atTime(p.Config()); problem != "" {
		p.Addf(path+".at", "%s", problem)
	}
}

// ServiceReadyCheck checks that one of the monitoring stack's services
// answers its readiness endpoint: the checklist's "All 7 monitoring
// containers healthy" is seven of these (or the richer kinds above).
type ServiceReadyCheck struct {
	MonitoringClient `yaml:",inline"`
	// Preset names the service: prometheus, alertmanager, grafana, loki,
	// promtail, node_exporter or cadvisor. It picks the path and what a
	// ready answer looks like.
	Preset string `yaml:"preset"`
}

// ReadyPreset is where a service answers whether it is ready.
type ReadyPreset struct {
	Path         string
	BodyContains string
}

// ReadyPresets maps each preset to its readiness endpoint.
var ReadyPresets = map[string]ReadyPreset{
	"prometheus":    {Path: "/-/ready"},
	"alertmanager":  {Path: "/-/ready"},
	"grafana":       {Path: "/api/health", BodyContains: `"ok"`},
	"loki":          {Path: "/ready", BodyContains: "ready"},
	"promtail":      {Path: "/ready"},
	"node_exporter": {Path: "/metrics", BodyContains: "node_exporter_build_info"},
	"cadvisor":      {Path: "/healthz", BodyContains: "ok"},
}

// UnmarshalYAML applies the HTTP client defaults first.
func (c *ServiceReadyCheck) UnmarshalYAML(n *yaml.Node) error {
	type plain ServiceReadyCheck
	return config.DecodeWithClientDefaults(n, &c.HTTPClientConfig, (*plain)(c))
}

// Validate implements config.Kind.
func (c *ServiceReadyCheck) Validate(path string, p *config.Problems) {
	c.validate(path, p)
	if _, ok := ReadyPresets[c.Preset]; !ok {
		p.Addf(path+".preset", "preset %q is unknown; write one of prometheus, alertmanager, grafana, loki, promtail, node_exporter, cadvisor", c.Preset)
	}
}
