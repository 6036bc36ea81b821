package loadtest

import (
	"fmt"
	"regexp"

	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// The loadtest kind: its settings live here, beside the check, and
// register under their key with the factory.
func init() {
	collector.RegisterKind("loadtest", func() config.Kind { return new(LoadTestCheck) }, newCheck)
}

var (
	_ config.Kind      = (*LoadTestCheck)(nil)
	_ config.Defaulter = (*LoadTestCheck)(nil)
)

// Load-test result formats (LoadTestCheck.Format).
const (
	LoadTestAuto     = "auto"
	LoadTestK6       = "k6"
	LoadTestK6Legacy = "k6_legacy"
	LoadTestLocust   = "locust"
	LoadTestJMeter   = "jmeter"
	LoadTestGatling  = "gatling"
)

// Defaults of the load-test check.
const (
	DefaultLoadTestMaxFileSize config.ByteSize = 256 << 20
	DefaultLoadTestK6Metric                    = "http_req_duration"
)

// DefaultGatlingPercentiles are Gatling's default percentiles1..4.
var DefaultGatlingPercentiles = []float64{50, 75, 95, 99}

// LoadTestCheck reads the newest load-test result among its paths (k6,
// Locust, JMeter or Gatling) and holds the thresholds it must meet.
type LoadTestCheck struct {
	// Paths are result files, folders (their files matching
	// FolderPattern) or globs ("**" for any folders). Relative paths are
	// relative to the configuration file. When several results match,
	// the newest (by modification time) is judged.
	Paths []string `yaml:"paths"`
	// FolderPattern selects the files of a folder named in Paths.
	// Default by format: *.json (k6), *.csv (locust), *.jtl (jmeter),
	// global_stats.json (gatling), * (auto).
	FolderPattern string `yaml:"folder_pattern,omitempty"`
	// Format is auto (default: recognised from the content), k6 (both
	// summary formats), k6_legacy, locust, jmeter or gatling.
	Format string `yaml:"format,omitempty"`
	// K6Metric is the k6 trend metric whose percentiles are the latency,
	// e.g. "http_req_duration{expected_response:true}". Default
	// http_req_duration.
	K6Metric string `yaml:"k6_metric,omitempty"`
	// JMeterExcludeLabels is a regular expression (RE2, unanchored) over
	// JMeter sample labels (leading and trailing spaces trimmed); matching
	// samples are left out, e.g. "^Debug Sampler$" or transaction
	// controllers' parent samples.
	JMeterExcludeLabels string `yaml:"jmeter_exclude_labels,omitempty"`
	// GatlingPercentiles are the percentiles Gatling wrote as
	// percentiles1..4 (its charting.indicators.percentile1..4 settings).
	// Default [50, 75, 95, 99].
	GatlingPercentiles []float64 `yaml:"gatling_percentiles,omitempty"`

	// MaxP50, MaxP90, MaxP95, MaxP99 and MaxLatency (the slowest request)
	// fail the check when the result's latency is higher. 0 disables.
	MaxP50     model.Duration `yaml:"max_p50,omitempty"`
	MaxP90     model.Duration `yaml:"max_p90,omitempty"`
	MaxP95     model.Duration `yaml:"max_p95,omitempty"`
	MaxP99     model.Duration `yaml:"max_p99,omitempty"`
	MaxLatency model.Duration `yaml:"max_latency,omitempty"`
	// MaxErrorRatio (0 to 1) fails the check when more requests failed.
	MaxErrorRatio *float64 `yaml:"max_error_ratio,omitempty"`
	// MinVUs is the number of concurrent virtual users the test must
	// have reached (the checklist's "100 concurrent users").
	MinVUs int `yaml:"min_vus,omitempty"`
	// MinDuration is how long the test must have run.
	MinDuration model.Duration `yaml:"min_duration,omitempty"`
	// MinRequests is how many requests the test must have made.
	MinRequests int64 `yaml:"min_requests,omitempty"`
	// MinRPS is the throughput (requests per second) the test must reach.
	MinRPS float64 `yaml:"min_rps,omitempty"`
	// MaxAge fails the check (reason stale) when the result is older.
	MaxAge model.Duration `yaml:"max_age,omitempty"`
	// ToolThresholds says what a threshold the tool itself marked failed
	// (k6 thresholds) does: enforce (default: fails the check), warn or
	// ignore.
	ToolThresholds string `yaml:"tool_thresholds,omitempty"`
	// MaxFileSize refuses larger files (e.g. 256MiB, 500KB, or bytes).
	MaxFileSize config.ByteSize `yaml:"max_file_size,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *LoadTestCheck) SetDefaults() {
	if c.Format == "" {
		c.Format = LoadTestAuto
	}
	if c.FolderPattern == "" {
		c.FolderPattern = map[string]string{LoadTestK6: "*.json", LoadTestK6Legacy: "*.json", LoadTestLocust: "*.csv",
			LoadTestJMeter: "*.jtl", LoadTestGatling: "global_stats.json"}[c.Format]
		if c.FolderPattern == "" {
			c.FolderPattern = "*"
		}
	}
	if c.K6Metric == "" {
		c.K6Metric = DefaultLoadTestK6Metric
	}
	if len(c.GatlingPercentiles) == 0 {
		c.GatlingPercentiles = append([]float64(nil), DefaultGatlingPercentiles...)
	}
	if c.ToolThresholds == "" {
		c.ToolThresholds = "enforce"
	}
	if c.MaxFileSize == 0 {
		c.MaxFileSize = DefaultLoadTestMaxFileSize
	}
}

// Validate implements config.Kind.
func (c *LoadTestCheck) Validate(path string, p *config.Problems) {
	config.ValidateReportPaths(path, c.Paths, "result", "[loadtest/summary.json]", c.FolderPattern, "*.jtl", p)
	switch c.Format {
	case LoadTestAuto, LoadTestK6, LoadTestK6Legacy, LoadTestLocust, LoadTestJMeter, LoadTestGatling:
	default:
		p.Addf(path+".format", "unknown format %q; write auto, k6, k6_legacy, locust, jmeter or gatling", c.Format)
	}
	if c.JMeterExcludeLabels != "" {
		if _, err := regexp.Compile(c.JMeterExcludeLabels); err != nil {
			p.Addf(path+".jmeter_exclude_labels", "bad regular expression: %v", err)
		}
	}
	if len(c.GatlingPercentiles) > 4 {
		p.Addf(path+".gatling_percentiles", "has %d values; Gatling writes 4 (percentiles1..4)", len(c.GatlingPercentiles))
	}
	for i, q := range c.GatlingPercentiles {
		if !(q > 0 && q <= 100) {
			p.Addf(fmt.Sprintf("%s.gatling_percentiles[%d]", path, i), "%v is not a percentile; write a number from 0 to 100 such as 95", q)
		}
	}
	for _, d := range []struct {
		key string
		v   model.Duration
	}{{"max_p50", c.MaxP50}, {"max_p90", c.MaxP90}, {"max_p95", c.MaxP95}, {"max_p99", c.MaxP99},
		{"max_latency", c.MaxLatency}, {"min_duration", c.MinDuration}, {"max_age", c.MaxAge}} {
		if d.v < 0 {
			p.Addf(path+"."+d.key, "is negative; write a duration such as 380ms, or leave it out")
		}
	}
	if c.MaxErrorRatio != nil && !(*c.MaxErrorRatio >= 0 && *c.MaxErrorRatio <= 1) {
		p.Addf(path+".max_error_ratio", "%v is not a ratio; write a number from 0 to 1, e.g. 0.01 for 1%%", *c.MaxErrorRatio)
	}
	if c.MinVUs < 0 {
		p.Addf(path+".min_vus", "is negative; write the number of concurrent users, e.g. 100")
	}
	if c.MinRequests < 0 {
		p.Addf(path+".min_requests", "is negative; write how many requests the test must make")
	}
	if c.MinRPS < 0 {
		p.Addf(path+".min_rps", "is negative; write the requests per second the test must reach")
	}
	switch c.ToolThresholds {
	case "enforce", "warn", "ignore":
	default:
		p.Addf(path+".tool_thresholds", "unknown value %q; write enforce, warn or ignore", c.ToolThresholds)
	}
	if c.MaxFileSize < 0 {
		p.Addf(path+".max_file_size", "is negative; write a size such as 256MiB")
	}
}
