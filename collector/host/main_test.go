package host

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
)

// TestMain fails the package when a check leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// runOne runs one check of kind with settings (YAML, indented by the
// caller's newlines only) through the scheduler and returns its result.
func runOne(t *testing.T, kind, settings string, extra ...string) collector.Result {
	t.Helper()
	lines := strings.Split(strings.TrimRight(settings, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "      " + l
	}
	y := "checks:\n  - name: c\n" + strings.Join(extra, "") + "    " + kind + ":\n" + strings.Join(lines, "\n") + "\n"
	return collectortest.RunConfig(t, y, 20*time.Second).Result(t, "c")
}

// sample returns the value of the result's sample of desc with these
// labels; ok is false when there is none.
func sample(res collector.Result, desc *prometheus.Desc, labels ...string) (float64, bool) {
	for _, s := range res.Samples() {
		if s.Desc == desc && slices.Equal(s.Labels, labels) {
			return s.Value, true
		}
	}
	return 0, false
}

func mustSample(t *testing.T, res collector.Result, desc *prometheus.Desc, labels ...string) float64 {
	t.Helper()
	v, ok := sample(res, desc, labels...)
	if !ok {
		t.Fatalf("no sample %s %v (%s: %s)", desc, labels, res.Status, res.Message)
	}
	return v
}

// failedConditions maps each failed (not warning) condition to what was
// observed.
func failedConditions(res collector.Result) map[string]string {
	out := map[string]string{}
	for _, c := range res.Conditions {
		if !c.OK && !c.Warning {
			out[c.Name] = c.Observed
		}
	}
	return out
}
