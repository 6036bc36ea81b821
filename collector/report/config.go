package report

import (
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// The test-report kinds: their settings live here, beside the checks, and
// register under their keys with their factories. The settings both share
// (config.TestResults: paths, thresholds, groups) stay in config, where the
// checklist reads the groups.
func init() {
	collector.RegisterKind("junit", func() config.Kind { return new(JUnitCheck) }, newJUnit)
	collector.RegisterKind("test_report", func() config.Kind { return new(TestReportCheck) }, newTestReport)
}

var (
	_ config.Kind      = (*JUnitCheck)(nil)
	_ config.Defaulter = (*JUnitCheck)(nil)
	_ config.Kind      = (*TestReportCheck)(nil)
	_ config.Defaulter = (*TestReportCheck)(nil)
)

// DefaultJUnitMaxDepth is the default max_depth of a junit check.
const DefaultJUnitMaxDepth = 64

// JUnitCheck reads JUnit XML reports (every producer's dialect: pytest,
// Jest, Vitest, Playwright, Surefire/Failsafe, go-junit-report, gotestsum,
// mocha, Cypress, PHPUnit, nextest, TestNG).
type JUnitCheck struct {
	config.TestResults `yaml:",inline"`
	// MaxDepth bounds element nesting; deeper files are refused.
	MaxDepth int `yaml:"max_depth,omitempty"`
	// TimeZone interprets timestamps written without a zone (jest, mocha,
	// pytest write local or UTC time without saying which). Default UTC.
	TimeZone string `yaml:"time_zone,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *JUnitCheck) SetDefaults() {
	c.SetResultsDefaults("*.xml")
	if c.MaxDepth == 0 {
		c.MaxDepth = DefaultJUnitMaxDepth
	}
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
}

// Validate implements config.Kind.
func (c *JUnitCheck) Validate(path string, p *config.Problems) {
	c.ValidateResults(path, p)
	if c.MaxDepth < 2 {
		p.Addf(path+".max_depth", "is %d; write at least 2 (default %d)", c.MaxDepth, DefaultJUnitMaxDepth)
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		p.Addf(path+".time_zone", "unknown time zone %q; write UTC, Local or an IANA name such as Europe/Paris", c.TimeZone)
	}
}

// Test report JSON formats.
const (
	TestReportAuto       = "auto"
	TestReportJest       = "jest"
	TestReportPytest     = "pytest"
	TestReportPlaywright = "playwright"
	TestReportGoTest     = "gotest"
)

// TestReportCheck reads test runners' JSON reports: Jest and Vitest --json,
// pytest-json-report, Playwright's JSON reporter, go test -json streams.
type TestReportCheck struct {
	config.TestResults `yaml:",inline"`
	// Format is auto (default: recognised from the content), jest (also
	// Vitest), pytest, playwright or gotest.
	Format string `yaml:"format,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *TestReportCheck) SetDefaults() {
	c.SetResultsDefaults("*.json")
	if c.Format == "" {
		c.Format = TestReportAuto
	}
}

// Validate implements config.Kind.
func (c *TestReportCheck) Validate(path string, p *config.Problems) {
	c.ValidateResults(path, p)
	switch c.Format {
	case TestReportAuto, TestReportJest, TestReportPytest, TestReportPlaywright, TestReportGoTest:
	default:
		p.Addf(path+".format", "unknown format %q; write auto, jest (also for vitest), pytest, playwright or gotest", c.Format)
	}
}
