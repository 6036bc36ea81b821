package network

import (
	"testing"

	"github.com/golive/golive_exporter/collector"
)

// Spring Boot Actuator nests components under components (2.2+) or
// details (2.0, 2.1) at any depth, and 1.x flattens them into their
// parents; details also hold plain values that are not components.
func TestHealthSpringBootNesting(t *testing.T) {
	t.Parallel()
	runHealthCases(t, []healthCase{
		{
			name: "1.x legacy, a DOWN child", code: 503, file: "spring-actuator-health-legacy-1x-down.json",
			settings: "valid_status_codes: [200, 503]\nhealth: true",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed, overall: "failed",
			msg:   []string{"sub-1.sub-1-2=DOWN"},
			comps: map[string]string{"sub-1": "failed", "sub-1.sub-1-1": "ok", "sub-1.sub-1-2": "failed", "sub-2": "ok"},
		},
		{
			name: "1.x legacy, all UP", code: 200,
			body:   `{"status":"UP","info":"Hello","sub-1":{"status":"UP","info-1":false,"sub-1-1":{"status":"UP"},"sub-1-2":{"status":"UP","info-1-2":"World"}},"sub-2":{"status":"UP","info-2":1}}`,
			status: collector.StatusPass, overall: "ok",
			comps:  map[string]string{"sub-1": "ok", "sub-1.sub-1-1": "ok", "sub-1.sub-1-2": "ok", "sub-2": "ok"},
			absent: []string{"info", "sub-1.info-1", "sub-1.sub-1-2.info-1-2"},
		},
		{
			name: "2.0 details form, a DOWN child", code: 503,
			body:     `{"status":"DOWN","details":{"sub-1":{"status":"DOWN","details":{"info-1":false,"sub-1-1":{"status":"UP"},"sub-1-2":{"status":"DOWN","details":{"info-1-2":"World"}}}},"sub-2":{"status":"UP","details":{"info-2":1}}}}`,
			settings: "valid_status_codes: [200, 503]\nhealth: true",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed, overall: "failed",
			msg:   []string{"sub-1.sub-1-2=DOWN"},
			comps: map[string]string{"sub-1": "failed", "sub-1.sub-1-1": "ok", "sub-1.sub-1-2": "failed", "sub-2": "ok"},
		},
		{
			name: "2.0 details form, all UP with plain details", code: 200,
			body:   `{"status":"UP","details":{"info":"Hello","sub-1":{"status":"UP","details":{"info-1":false,"sub-1-1":{"status":"UP"},"sub-1-2":{"status":"UP","details":{"info-1-2":"World"}}}},"diskSpace":{"status":"UP","details":{"total":250685575168,"free":108220035072,"threshold":10485760,"exists":true}}}}`,
			status: collector.StatusPass, overall: "ok",
			comps:  map[string]string{"sub-1": "ok", "sub-1.sub-1-1": "ok", "sub-1.sub-1-2": "ok", "diskSpace": "ok"},
			absent: []string{"info", "sub-1.info-1", "diskSpace.exists"},
		},
		{
			name: "2.2+ components form, a DOWN member of a group", code: 503,
			body:     `{"status":"DOWN","components":{"broker":{"status":"DOWN","components":{"us1":{"status":"UP","details":{"version":"1.0.2"}},"us2":{"status":"DOWN","details":{"error":"java.net.ConnectException: Connection refused"}}}},"db":{"status":"UP","details":{"database":"PostgreSQL","validationQuery":"isValid()"}},"ping":{"status":"UP"}}}`,
			settings: "valid_status_codes: [200, 503]\nhealth: true",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed, overall: "failed",
			msg:    []string{"broker.us2=DOWN"},
			comps:  map[string]string{"broker": "failed", "broker.us1": "ok", "broker.us2": "failed", "db": "ok", "ping": "ok"},
			absent: []string{"db.database", "broker.us2.error"},
		},
		{
			name: "2.2+ components form, all UP", code: 200,
			body:   `{"status":"UP","components":{"db":{"status":"UP","details":{"database":"PostgreSQL","validationQuery":"isValid()"}},"diskSpace":{"status":"UP","details":{"total":250685575168,"free":108220035072,"threshold":10485760,"path":"/app/.","exists":true}},"ping":{"status":"UP"},"ssl":{"status":"UP","details":{"validChains":[],"invalidChains":[]}}},"groups":["liveness","readiness"]}`,
			status: collector.StatusPass, overall: "ok",
			comps:  map[string]string{"db": "ok", "diskSpace": "ok", "ping": "ok", "ssl": "ok"},
			absent: []string{"db.database", "ssl.validChains", "groups"},
		},
		{
			name: "details that carry a status of their own", code: 200,
			body:   `{"status":"UP","components":{"elasticsearch":{"status":"UP","details":{"cluster_name":"docker-cluster","status":"yellow","timed_out":false,"number_of_nodes":1,"active_shards_percent_as_number":50.0}},"discoveryComposite":{"description":"Discovery Client not initialized","status":"UP"}}}`,
			status: collector.StatusPass, overall: "ok",
			comps:  map[string]string{"elasticsearch": "ok", "discoveryComposite": "ok"},
			absent: []string{"elasticsearch.status", "elasticsearch.cluster_name"},
		},
		{
			name: "a DOWN component six levels deep", code: 503,
			body:     `{"status":"DOWN","details":{"a":{"status":"DOWN","details":{"b":{"status":"DOWN","details":{"c":{"status":"DOWN","details":{"d":{"status":"DOWN","details":{"e":{"status":"DOWN","details":{"f":{"status":"DOWN","details":{"reason":"disk full"}}}}}}}}}}}}}}`,
			settings: "valid_status_codes: [200, 503]\nhealth: true",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed,
			msg:   []string{"a.b.c.d.e.f=DOWN"},
			comps: map[string]string{"a": "failed", "a.b.c.d.e.f": "failed"},
		},
	})
}
