package config

// JUnitCheck and TestReportCheck (the test-result checks) are in
// testreport.go.

// LoadTestCheck reads load-test results.
type LoadTestCheck struct {
	Paths []string `yaml:"paths"`
}
