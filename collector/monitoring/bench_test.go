package monitoring

import (
	"fmt"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/collector"
)

// bigRules is a /api/v1/rules answer of 50 groups of 20 rules.
func bigRules() []byte {
	var b strings.Builder
	b.WriteString(`{"status":"success","data":{"groups":[`)
	for g := 0; g < 50; g++ {
		if g > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"name":"golive.g%d","file":"/etc/prometheus/rules/x.yml","rules":[`, g)
		for r := 0; r < 20; r++ {
			if r > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"name":"GoLiveAlert%d","query":"up == 0","health":"ok","type":"alerting","alerts":[],"evaluationTime":0.001}`, r)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

func BenchmarkParseRules(b *testing.B) {
	body := bigRules()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := parseRules(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAlertsCorpus(b *testing.B) {
	body := corpus(b, "alertmanager-0.31.0-api-v2-alerts-groups.json")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := parseAlerts(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAlertmanagerCheck runs the whole check against a fake
// Alertmanager on loopback holding 500 alerts.
func BenchmarkAlertmanagerCheck(b *testing.B) {
	var alerts []string
	for i := 0; i < 500; i++ {
		alerts = append(alerts, amAlertJSON(fmt.Sprintf("A%d", i), []string{"critical", "warning", "info"}[i%3], "active", i%7 == 0))
	}
	srv, _ := fakeServer(b, map[string]answer{"/-/ready": {200, "OK"}, "/api/v2/status": {200, `{"cluster":{"status":"disabled"}}`},
		"/api/v2/receivers": {200, `[{"name":"pager"}]`}, "/api/v2/alerts": {200, "[" + strings.Join(alerts, ",") + "]"}})
	c := loadCheck(b, "checks:\n  - name: am\n    alertmanager:\n      url: "+srv.URL+"\n")
	chk, err := newAlertmanager(c, collector.Env{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r := &collector.Report{}
		if err := chk.Run(b.Context(), r); err != nil {
			b.Fatal(err)
		}
	}
}
