package dashboards

import "strconv"

// The checklist's numbers, drawn as thresholds.
const (
	slaP95Seconds      = 0.5    // "Response times within SLA (< 500ms p95)"
	loadTestP95Seconds = 0.38   // "Load test completed: 380ms p95"
	availabilityTarget = 0.99   // "System uptime: > 99% in first week"
	adoptionTarget     = 0.8    // "User adoption: > 80% active users"
	backupMaxAge       = 93600  // 26h: "newest successful backup age < 26h"
	certCriticalSecs   = 604800 // 7 days
	certWarnSecs       = 2592000
	errorRatioLimit    = 0.01
	latencySLOTarget   = 0.95 // 95% of requests under 0.5 s
)

const sel = `instance=~"$instance"`

func verdictMappings() []any {
	return []any{map[string]any{"type": "value", "options": map[string]any{
		"0": map[string]any{"text": "NO-GO", "color": "red", "index": 0},
		"1": map[string]any{"text": "GO", "color": "green", "index": 1},
	}}}
}

func passFailMappings() []any {
	return []any{map[string]any{"type": "value", "options": map[string]any{
		"0": map[string]any{"text": "FAIL", "color": "red", "index": 0},
		"1": map[string]any{"text": "PASS", "color": "green", "index": 1},
	}}}
}

// Readiness is the go-live verdict board: countdown, per-phase progress,
// failing items with their reasons and outstanding attestations.
func Readiness() *Dashboard {
	b := newDashboard("golive-readiness", "Go-Live Readiness",
		"The checklist's verdict: GO or NO-GO, what blocks it, and what people still have to attest.", "now-24h")
	b.row("Verdict")
	v := b.add(stat("Verdict", "GO when every due blocker passes or is attested.", `min(golive_checklist_ready{`+sel+`})`, "none", steps("red", 1, "green")), 6, 5)
	v.FieldConfig.Defaults.Mappings = verdictMappings()
	b.add(stat("Go-live in", "Time left until the planned go-live (negative once it has passed).",
		`min(golive_checklist_go_live_timestamp_seconds{`+sel+`}) - time()`, "dtdurations", steps("red", 0, "orange", 7200, "blue")), 6, 5)
	b.add(stat("Blockers failing", "Due blocker items that neither pass nor are attested.",
		`max(golive_checklist_blockers{`+sel+`})`, "none", steps("green", 1, "red")), 6, 5)
	b.add(stat("Checks failing", "Checks whose latest run failed.",
		`count(golive_check_success{`+sel+`} == 0) or vector(0)`, "none", steps("green", 1, "red")), 6, 5)

	b.row("Progress")
	pg := b.add(&Panel{Type: "bargauge", Title: "Progress per phase", Description: "Share of each phase's items that pass or are attested.",
		Targets:     []Target{{Expr: `sum by (phase) (golive_checklist_items{` + sel + `,state=~"pass|attested"}) / sum by (phase) (golive_checklist_items{` + sel + `})`, LegendFormat: "{{phase}}", Instant: true}},
		FieldConfig: fc("percentunit", steps("red", 0.5, "orange", 1, "green")),
		Options: map[string]any{"orientation": "horizontal", "displayMode": "gradient", "showUnfilled": true,
			"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false}}}, 12, 8)
	pg.FieldConfig.Defaults.Min, pg.FieldConfig.Defaults.Max = f(0), f(1)
	b.add(series("Items by state", "How many items are in each state over time.", "none", steps("text"),
		q(`sum by (state) (golive_checklist_items{`+sel+`})`, "{{state}}")), 12, 8)

	b.row("What blocks go-live")
	b.add(table("Failing checks and the items they prove", "Each failing check with its reason and the checklist items it proves.",
		`golive_check_item_info{`+sel+`} * on (job, instance, check) group_left (kind, reason) golive_check_failure_reason{`+sel+`}`, "job"), 24, 8)
	b.add(table("Due blockers not OK", "Blocker items whose window has begun and that neither pass nor are attested.",
		`golive_checklist_item_ok{`+sel+`} == 0 and on (job, instance, item) golive_checklist_item_blocker == 1 and on (job, instance, item) golive_checklist_item_due == 1`, "job"), 12, 9)
	b.add(table("Manual attestations outstanding", "Manual items that are due and not attested yet.",
		`golive_checklist_item_ok{`+sel+`,kind="manual"} == 0 and on (job, instance, item) golive_checklist_item_due == 1`, "job", "kind"), 12, 9)
	b.add(table("Failing early (not due yet)", "Items whose window has not begun but whose check fails already: not blocking yet, blocking once due.",
		`golive_checklist_item_state{`+sel+`,state="failing_early"} == 1`, "job", "state"), 24, 7)
	b.add(series("Checks passing", "Share of checks passing.", "percentunit", steps("red", 1, "green"),
		q(`sum(golive_check_success{`+sel+`}) / count(golive_check_success{`+sel+`})`, "passing")), 24, 7)
	return b.d
}

// GoLiveDay is the war-room board: SLA, traffic against the load test,
// dependencies, backups, certificates and firing alerts.
func GoLiveDay() *Dashboard {
	b := newDashboard("golive-day", "Go-Live Day",
		"The SLA against its targets, traffic against the load-test peak, database, cache, backups, certificates and alerts.", "now-6h")
	b.row("SLA")
	b.add(stat("API p95", "p95 response time over 5m (SLA 500 ms; the load test reached 380 ms).",
		`golive:app_request_duration_seconds:p95_rate5m`, "s", steps("green", loadTestP95Seconds, "orange", slaP95Seconds, "red")), 6, 5)
	b.add(stat("Error ratio", "Share of requests answering 5xx over 5m.",
		`golive:app_request_errors:ratio_rate5m`, "percentunit", steps("green", errorRatioLimit, "red")), 6, 5)
	b.add(stat("Availability (1h)", "Share of health probes passing over the last hour (target > 99%).",
		`1 - max(golive:slo_availability_errors:ratio_rate1h)`, "percentunit", steps("red", availabilityTarget, "green")), 6, 5)
	b.add(stat("Alerts firing", "Critical and warning alerts firing (the Watchdog excluded).",
		`count(ALERTS{alertstate="firing",alertname!="Watchdog",severity=~"critical|warning"}) or vector(0)`, "none", steps("green", 1, "red")), 6, 5)
	b.add(series("Response time p95", "Live p95 against the SLA line and the load test's p95.", "s", steps("green", slaP95Seconds, "red"),
		q(`golive:app_request_duration_seconds:p95_rate5m`, "p95"),
		q(`max(golive_loadtest_latency_seconds{`+sel+`,percentile="95"})`, "load-test p95")), 12, 8)
	b.add(series("Request rate", "Live traffic against the load test's throughput.", "reqps", steps("text"),
		q(`golive:app_requests:rate5m`, "requests/s"),
		q(`max(golive_loadtest_requests_per_second{`+sel+`})`, "load-test rate")), 12, 8)

	b.row("Dependencies")
	b.add(series("Database probe p95", "PostgreSQL probe round trip p95 (target < 500 ms).", "s", steps("green", slaP95Seconds, "red"),
		q(`max by (check) (golive_postgres_probe_p95_seconds{`+sel+`})`, "{{check}}")), 8, 8)
	b.add(series("Database connections used", "Connections in use against max_connections.", "percentunit", steps("green", 0.8, "red"),
		q(`max by (check) (golive_postgres_connections_ratio{`+sel+`})`, "{{check}}")), 8, 8)
	b.add(series("Redis hit ratio and memory", "Keyspace hit ratio and memory used against maxmemory.", "percentunit", steps("text"),
		q(`max by (check) (golive_redis_hit_ratio{`+sel+`})`, "hit ratio {{check}}"),
		q(`max by (check) (golive_redis_memory_used_ratio{`+sel+`})`, "memory {{check}}")), 8, 8)
	ba := b.add(stat("Backup age", "Age of the newest good backup (the checklist wants < 26h).",
		`time() - max by (check) (golive_backup_newest_timestamp_seconds{`+sel+`})`, "s", steps("green", backupMaxAge, "red")), 8, 5)
	ba.Targets[0].LegendFormat = "{{check}}"
	ce := b.add(stat("Certificate expiry", "Time left on the earliest-expiring certificate of each TLS check.",
		`min by (check) (golive_tls_earliest_cert_expiry_timestamp_seconds{`+sel+`}) - time()`, "s", steps("red", certCriticalSecs, "orange", certWarnSecs, "green")), 8, 5)
	ce.Targets[0].LegendFormat = "{{check}}"
	hc := b.add(stat("Service checks", "The latest verdicts of the health endpoint, database and cache checks.",
		`max by (check) (golive_check_success{`+sel+`,kind=~"http|postgres|redis"})`, "none", steps("red", 1, "green")), 8, 5)
	hc.Targets[0].LegendFormat = "{{check}}"
	hc.FieldConfig.Defaults.Mappings = passFailMappings()
	b.add(table("Firing alerts", "Every alert firing now (the Watchdog excluded), narrowed by the severity and area filters above.",
		`ALERTS{alertstate="firing",alertname!="Watchdog",severity=~"$severity",area=~"$area"}`, "alertstate"), 24, 8)
	b.d.Templating.List = append(b.d.Templating.List,
		Variable{Name: "severity", Label: "Alert severity", Type: "custom", Query: "critical,warning,info",
			IncludeAll: true, Multi: true, AllValue: ".*", Current: map[string]any{"text": []string{"critical", "warning"}, "value": []string{"critical", "warning"}}},
		Variable{Name: "area", Label: "Alert area", Type: "query", Datasource: DS, Refresh: 2, Sort: 1,
			Query:      map[string]any{"query": `label_values(ALERTS{alertname!="Watchdog"}, area)`, "refId": "area"},
			IncludeAll: true, Multi: true, AllValue: ".*", Current: map[string]any{"text": "All", "value": "$__all"}})
	b.row("Exporter")
	b.add(series("Scrape duration p95", "How long collecting every check took per scrape (p95 over 5m); compare with the scrape timeout.", "s", steps("green", 5, "orange", 10, "red"),
		q(`histogram_quantile(0.95, sum by (le, instance) (rate(golive_scrape_collection_duration_seconds_bucket{`+sel+`}[$__rate_interval])))`, "p95 {{instance}}")), 8, 8)
	b.add(series("Exporter CPU", "CPU seconds the exporter spends per second: the cost of its scrapes and background checks.", "percentunit", steps("green", 0.5, "orange", 1, "red"),
		q(`rate(process_cpu_seconds_total{`+sel+`}[$__rate_interval])`, "{{instance}}")), 8, 8)
	b.add(series("Queue wait (top 10)", "How long checks waited before they ran, for a free slot (global.max_concurrency) or for a CPU while many start at once: a scrape slower than its slowest check shows here.", "s", steps("green", 1, "orange", 5, "red"),
		q(`topk(10, max by (check) (golive_check_queue_wait_seconds{`+sel+`}))`, "{{check}}")), 8, 8)
	return b.d
}

// FirstWeek follows the success criteria over seven days: uptime,
// adoption, p95, daily backups and errors in the logs.
func FirstWeek() *Dashboard {
	b := newDashboard("golive-first-week", "First Week",
		"The go-live success criteria over the first seven days.", "now-7d")
	b.row("Success criteria")
	b.add(stat("Uptime (7 days)", "Health probe availability over the last 7 days (target > 99%).",
		`min(golive:slo_availability:ratio_7d)`, "percentunit", steps("red", availabilityTarget, "green")), 6, 5)
	b.add(stat("Availability budget left", "Share of the week's 1% error budget not yet spent.",
		`1 - (1 - min(golive:slo_availability:ratio_7d)) / (1 - `+strconv.FormatFloat(availabilityTarget, 'g', -1, 64)+`)`, "percentunit", steps("red", 0, "orange", 0.25, "green")), 6, 5)
	b.add(stat("User adoption", "Active users in the last 7 days / all users: the sql check proving item AX.3.02 (target > 80%).",
		`max(golive_sql_value{`+sel+`} * on (job, instance, check) group_left golive_check_item_info{item="AX.3.02"})`, "percentunit", steps("red", adoptionTarget, "green")), 6, 5)
	b.add(stat("Requests under 500 ms (3 days)", "Share of requests faster than 0.5 s (target 95%, i.e. p95 < 500 ms).",
		`1 - golive:slo_latency_errors:ratio_rate3d`, "percentunit", steps("red", latencySLOTarget, "green")), 6, 5)
	b.add(series("Daily availability", "Health probe availability per day.", "percentunit", steps("red", availabilityTarget, "green"),
		q(`avg_over_time(golive:availability_probe:success[1d])`, "{{instance}}")), 12, 8)
	b.add(series("Response time p95", "p95 over the week against the 500 ms SLA.", "s", steps("green", slaP95Seconds, "red"),
		q(`golive:app_request_duration_seconds:p95_rate5m`, "p95")), 12, 8)
	b.add(series("Backup age", "Age of the newest good backup: a daily backup keeps it under 26h.", "s", steps("green", backupMaxAge, "red"),
		q(`time() - max by (check) (golive_backup_newest_timestamp_seconds{`+sel+`})`, "{{check}}")), 12, 8)
	b.add(series("Error lines in logs", "Error-level log lines Loki counted over each loki check's window.", "none", steps("green", 1, "red"),
		q(`max by (check) (golive_loki_error_lines{`+sel+`})`, "{{check}}")), 12, 8)
	b.add(series("Since the last successful restore test", "A backup is only proven by restoring it: time since each restore check last succeeded.", "s", steps("green", 7*86400, "orange"),
		q(`time() - max by (check) (golive_restore_last_success_timestamp_seconds{`+sel+`})`, "{{check}}")), 12, 8)
	b.add(series("Checks failing", "Failing checks over the week, by kind.", "none", steps("green", 1, "red"),
		q(`count by (kind) (golive_check_success{`+sel+`} == 0)`, "{{kind}}")), 12, 8)
	return b.d
}
