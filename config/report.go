package config

// JUnitCheck reads JUnit XML reports.
type JUnitCheck struct {
	Paths []string `yaml:"paths"`
}

// TestReportCheck reads test runners' JSON reports.
type TestReportCheck struct {
	Paths []string `yaml:"paths"`
}

// LoadTestCheck reads load-test results.
type LoadTestCheck struct {
	Paths []string `yaml:"paths"`
}
