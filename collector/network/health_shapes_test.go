package network

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/collector"
)

// healthCase serves one answer and says what the http check with health
// makes of it.
type healthCase struct {
	name     string
	code     int
	body     string // inline answer, or
	file     string // a file of testdata/health
	settings string // besides url
	status   collector.Status
	reason   collector.Reason
	msg      []string          // substrings of the message
	comps    map[string]string // component -> state whose series is 1
	absent   []string          // components that must have no series
	overall  string            // state of golive_http_health_status_state, "" to skip
}

func runHealthCases(t *testing.T, cases []healthCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := tc.body
			if tc.file != "" {
				b, err := os.ReadFile(filepath.Join("testdata", "health", tc.file))
				require.NoError(t, err)
				body = string(b)
			}
			s := serve(t, fixed(tc.code, "application/json", body))
			settings := tc.settings
			if settings == "" {
				settings = "health: true"
			}
			res := runOne(t, "http", "url: "+s.URL+"/health\n"+settings)
			assert.Equal(t, tc.status, res.Status, res.Message)
			if tc.reason != "" {
				assert.Equal(t, tc.reason, res.Reason, res.Message)
			}
			for _, m := range tc.msg {
				assert.Contains(t, res.Message, m)
			}
			for comp, state := range tc.comps {
				v, ok := value(res, "golive_http_health_component_state", comp, state)
				assert.True(t, ok && v == 1, "component %s is not %s:%s", comp, state, dumpSamples(res))
			}
			for _, comp := range tc.absent {
				_, ok := value(res, "golive_http_health_component_state", comp, "ok")
				assert.False(t, ok, "component %s has a series:%s", comp, dumpSamples(res))
			}
			if tc.overall != "" {
				assert.Equal(t, 1.0, mustValue(t, res, "golive_http_health_status_state", tc.overall))
			}
		})
	}
}

// The student management system the checklist comes from answers /health
// with the health JSON on 200 and wraps it in its error envelope on 503
// (testdata/health/PROVENANCE.md).
func TestHealthSeedApplication(t *testing.T) {
	t.Parallel()
	seedComps := map[string]string{"database": "failed", "disk_space": "ok", "memory": "ok", "migrations": "warning", "frontend": "warning"}
	runHealthCases(t, []healthCase{
		{
			name: "200 healthy with the optional frontend degraded warns", code: 200, file: "sms-health-200-frontend-degraded.json",
			status: collector.StatusWarn, msg: []string{"frontend=degraded"}, overall: "ok",
			comps:  map[string]string{"database": "ok", "disk_space": "ok", "memory": "ok", "migrations": "ok", "frontend": "warning"},
			absent: []string{"database.connected", "statistics", "system"},
		},
		{
			name: "503 error envelope names the unhealthy component", code: 503, file: "sms-health-503-envelope-database-down.json",
			status: collector.StatusFail, reason: collector.ReasonUnexpectedStatus, overall: "failed",
			msg:   []string{"answered 503", "database=unhealthy"},
			comps: seedComps,
		},
		{
			name: "503 error envelope accepted as a status code", code: 503, file: "sms-health-503-envelope-database-down.json",
			settings: "valid_status_codes: [200, 503]\nhealth: true",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed, overall: "failed",
			msg:   []string{"database=unhealthy"},
			comps: seedComps,
		},
		{
			name: "readiness 200", code: 200, file: "sms-ready-200.json",
			status: collector.StatusPass, overall: "ok",
			comps: map[string]string{"database": "ok", "disk_space": "ok", "memory": "ok"},
		},
		{
			name: "readiness 503 in the error envelope", code: 503, file: "sms-ready-503-envelope-not-ready.json",
			settings: "valid_status_codes: [200, 503]\nhealth: true",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed, overall: "failed",
			msg:   []string{"database=unhealthy"},
			comps: map[string]string{"database": "failed", "disk_space": "ok", "memory": "ok"},
		},
		{
			// FastAPI without an error handler: HTTPException(503, detail=health).
			name: "503 with the health answer under detail", code: 503,
			body:   `{"detail":{"status":"unhealthy","checks":{"database":{"status":"unhealthy","message":"Database connection failed"},"disk_space":{"status":"healthy"}}}}`,
			status: collector.StatusFail, reason: collector.ReasonUnexpectedStatus, overall: "failed",
			msg:   []string{"database=unhealthy"},
			comps: map[string]string{"database": "failed", "disk_space": "ok"},
		},
		{
			name: "success envelope on 200", code: 200,
			body:   `{"success":true,"data":{"status":"healthy","checks":{"database":{"status":"healthy"}}},"error":null,"meta":{"request_id":"req_1","version":"1.15.0"}}`,
			status: collector.StatusPass, overall: "ok",
			comps: map[string]string{"database": "ok"},
		},
		{
			name: "an error envelope without a health answer still fails", code: 503,
			body:     `{"success":false,"data":null,"error":{"code":"HTTP_503","message":"Service Unavailable","details":null,"path":"/health"}}`,
			settings: "valid_status_codes: [200, 503]\nhealth: true",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed,
			msg: []string{"no status and no components"},
		},
	})
}
