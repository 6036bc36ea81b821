package network

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/require"
)

// loadConfig loads a configuration whose checks: list is checksYAML.
func loadConfig(t testing.TB, checksYAML string) *config.Config {
	t.Helper()
	cfg, err := config.Load([]byte("checks:\n"+checksYAML), "test.yml")
	require.NoError(t, err)
	return cfg
}

// runChecks runs every check of the configuration once through the real
// scheduler (collectortest.RunConfig) and returns the results by check name.
func runChecks(t testing.TB, checksYAML string) map[string]collector.Result {
	t.Helper()
	out := map[string]collector.Result{}
	for _, r := range collectortest.RunConfig(t, "checks:\n"+checksYAML, 20*time.Second).Results {
		out[r.Check] = r
	}
	return out
}

// runOne runs a single check (named "c").
func runOne(t testing.TB, kind, settings string, extra ...string) collector.Result {
	t.Helper()
	y := "  - name: c\n" + strings.Join(extra, "") + "    " + kind + ":\n" + indent(settings, "      ")
	return runChecks(t, y)["c"]
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

var fqNameRE = regexp.MustCompile(`fqName: "([^"]+)"`)

func metricName(s collector.Sample) string {
	m := fqNameRE.FindStringSubmatch(s.Desc.String())
	if m == nil {
		return ""
	}
	return m[1]
}

// value returns the value of the sample named name whose labels (without
// the check label) equal labels; ok is false when there is none.
func value(res collector.Result, name string, labels ...string) (float64, bool) {
	for _, s := range res.Samples() {
		if metricName(s) == name && fmt.Sprint(s.Labels) == fmt.Sprint(labels) {
			return s.Value, true
		}
	}
	return 0, false
}

// mustValue is value that fails the test when the sample is missing.
func mustValue(t testing.TB, res collector.Result, name string, labels ...string) float64 {
	t.Helper()
	v, ok := value(res, name, labels...)
	require.True(t, ok, "no sample %s%v in %s", name, labels, dumpSamples(res))
	return v
}

func dumpSamples(res collector.Result) string {
	var b strings.Builder
	for _, s := range res.Samples() {
		fmt.Fprintf(&b, "\n  %s%v = %g", metricName(s), s.Labels, s.Value)
	}
	return b.String()
}

// condition returns the recorded condition with this name.
func condition(res collector.Result, name string) (collector.Condition, bool) {
	for _, c := range res.Conditions {
		if c.Name == name {
			return c, true
		}
	}
	return collector.Condition{}, false
}
