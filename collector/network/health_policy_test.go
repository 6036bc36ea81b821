package network

import (
	"testing"

	"github.com/golive/golive_exporter/collector"
)

// A check can leave optional components out of its verdict, let others only
// warn, and fail on an overall degraded status; the series still show what
// the answer says.
func TestHealthComponentPolicy(t *testing.T) {
	t.Parallel()
	const degraded = `{"status":"degraded","checks":{"database":{"status":"healthy"},"disk_space":{"status":"degraded","message":"Disk space low: 93.4% used"}}}`
	runHealthCases(t, []healthCase{
		{
			name: "the optional frontend ignored", code: 200, file: "sms-health-200-frontend-degraded.json",
			settings: "health:\n  ignore_components: [frontend]",
			status:   collector.StatusPass, overall: "ok",
			comps: map[string]string{"frontend": "warning", "database": "ok"},
		},
		{
			name: "warning-only does not hide a degraded component", code: 200, file: "sms-health-200-frontend-degraded.json",
			settings: "health:\n  warn_components: [frontend]",
			status:   collector.StatusWarn, msg: []string{"frontend=degraded"},
		},
		{
			name: "ignoring the optional ones leaves the database failing", code: 503, file: "sms-health-503-envelope-database-down.json",
			settings: "valid_status_codes: [200, 503]\nhealth:\n  ignore_components: [frontend, migrations]",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed,
			msg:   []string{"database=unhealthy", "2 ignored"},
			comps: map[string]string{"database": "failed", "frontend": "warning", "migrations": "warning"},
		},
		{
			name: "a failing warning-only component warns", code: 200,
			body:     `{"status":"ok","checks":{"search":{"status":"down"},"db":"ok"}}`,
			settings: "health:\n  warn_components: [search]",
			status:   collector.StatusWarn, msg: []string{"search=down"},
			comps: map[string]string{"search": "failed", "db": "ok"},
		},
		{
			name: "a failing component that is not warning-only still fails", code: 200,
			body:     `{"status":"ok","checks":{"search":{"status":"down"},"db":"down"}}`,
			settings: "health:\n  warn_components: [search]",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed, msg: []string{"db=down"},
		},
		{
			name: "an ignored component covers the ones nested in it", code: 200,
			body:     `{"status":"UP","components":{"discoveryComposite":{"status":"UNKNOWN","components":{"eureka":{"status":"DOWN"}}},"db":{"status":"UP"}}}`,
			settings: "health:\n  ignore_components: [discoveryComposite]",
			status:   collector.StatusPass,
			comps:    map[string]string{"discoveryComposite": "warning", "discoveryComposite.eureka": "failed", "db": "ok"},
		},
		{
			name: "a name covers only whole components", code: 200,
			body:     `{"status":"UP","components":{"db":{"status":"UP"},"dbReplica":{"status":"DOWN"}}}`,
			settings: "health:\n  ignore_components: [db]",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed, msg: []string{"dbReplica=DOWN"},
		},
		{
			name: "degraded overall status warns by default", code: 200, body: degraded,
			status: collector.StatusWarn, overall: "warning",
		},
		{
			name: "degraded overall status fails when asked", code: 200, body: degraded,
			settings: "health:\n  fail_on_degraded: true",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed, overall: "warning",
			msg: []string{"health status: observed degraded"},
		},
	})
}
