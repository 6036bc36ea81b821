package monitoring

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// severities are the values of the severity label that get their own
// series; anything else is counted as "other" so the label stays bounded.
var severities = []string{"critical", "warning", "info", "other"}

var (
	amReadyDesc = collector.NewDesc("golive_alertmanager_ready",
		"Whether Alertmanager answered its readiness endpoint with 200 (1) or not (0).")
	amClusterDesc = collector.NewDesc("golive_alertmanager_cluster_ready",
		"Whether Alertmanager's cluster is ready or disabled (1) rather than settling (0).")
	amPeersDesc = collector.NewDesc("golive_alertmanager_cluster_peers",
		"Peers in Alertmanager's cluster (0 when clustering is disabled).")
	amFiringDesc = collector.NewDesc("golive_alertmanager_alerts_firing",
		"Active alerts by severity, not counting silenced or inhibited ones nor the Watchdog.", "severity")
	amSuppressedDesc = collector.NewDesc("golive_alertmanager_alerts_suppressed",
		"Alerts silenced, inhibited or muted.")
	amWatchdogDesc = collector.NewDesc("golive_alertmanager_watchdog_firing",
		"Whether the always-firing Watchdog alert is arriving (1) or not (0).")
	amReceiversDesc = collector.NewDesc("golive_alertmanager_receivers",
		"Receivers configured in Alertmanager.")
)

type alertmanagerCheck struct {
	cfg   *AlertmanagerCheck
	name  string
	cl    *client
	items map[string]bool
}

func newAlertmanager(c *config.Check, env collector.Env) (collector.Check, error) {
	cl, err := newClient(env, &c.Spec().(*AlertmanagerCheck).MonitoringClient, c.Name)
	if err != nil {
		return nil, err
	}
	items := map[string]bool{}
	for _, it := range c.Items {
		items[it] = true
	}
	return &alertmanagerCheck{cfg: c.Spec().(*AlertmanagerCheck), name: c.Name, cl: cl, items: items}, nil
}

// Run checks readiness, the cluster, the receivers and the firing alerts.
func (a *alertmanagerCheck) Run(ctx context.Context, r *collector.Report) error {
	cl := a.cl

	if ready, err := cl.ready(ctx, r, "/-/ready", amReadyDesc, "Alertmanager ready"); !ready {
		return err
	}

	st, err := fetch(ctx, cl, "/api/v2/status", nil, "status", parseAMStatus)
	if err != nil {
		return err
	}
	clusterOK := st.Cluster.Status == "ready" || st.Cluster.Status == "disabled"
	r.Bool(amClusterDesc, clusterOK)
	r.Gauge(amPeersDesc, float64(len(st.Cluster.Peers)))
	r.Assert("cluster settled", clusterOK, "cluster "+st.Cluster.Status, "ready or disabled")

	receivers, err := fetch(ctx, cl, "/api/v2/receivers", nil, "receivers", parseReceivers)
	if err != nil {
		return err
	}
	r.Gauge(amReceiversDesc, float64(len(receivers)))
	have := map[string]bool{}
	for _, n := range receivers {
		have[n] = true
	}
	var missing []string
	for _, n := range a.cfg.Receivers {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	if len(a.cfg.Receivers) > 0 {
		r.Assert("receivers configured", len(missing) == 0, "missing: "+orNone(missing), strings.Join(a.cfg.Receivers, ", "))
	} else {
		r.Assert("receivers configured", len(receivers) > 0, fmt.Sprintf("%d receivers", len(receivers)), "at least one")
	}

	alerts, err := fetch(ctx, cl, "/api/v2/alerts", url.Values{"active": {"true"}}, "alerts", parseAlerts)
	if err != nil {
		return err
	}
	a.judgeAlerts(alerts, r)
	return nil
}

// judgeAlerts counts firing alerts by severity and checks the Watchdog.
func (a *alertmanagerCheck) judgeAlerts(alerts []amAlert, r *collector.Report) {
	firing := map[string]int{}
	names := map[string][]string{}
	suppressed := 0
	watchdog := false
	for _, al := range alerts {
		if al.Labels["alertname"] == a.cfg.WatchdogAlertname {
			if al.Status.State == "active" || al.Status.State == "" {
				watchdog = true
			}
			continue
		}
		// An alert about this very check, or about an item it proves (its
		// failure because alerts fire), would keep it failing forever: it
		// does not count.
		if al.Labels["check"] == a.name || a.items[al.Labels["item"]] {
			continue
		}
		if al.suppressed() {
			suppressed++
			continue
		}
		if al.Status.State != "active" && al.Status.State != "" {
			continue // unprocessed: not yet routed
		}
		sev := severityKey(al.Labels["severity"])
		firing[sev]++
		names[sev] = append(names[sev], al.Labels["alertname"])
	}
	for _, s := range severities {
		r.Gauge(amFiringDesc, float64(firing[s]), s)
	}
	r.Gauge(amSuppressedDesc, float64(suppressed))
	r.Bool(amWatchdogDesc, watchdog)
	if *a.cfg.RequireWatchdog {
		obs := "not arriving"
		if watchdog {
			obs = "arriving"
		}
		r.Assert("Watchdog arriving", watchdog, a.cfg.WatchdogAlertname+" "+obs,
			"always firing (load rules/monitoring.rules.yml)")
	}
	sevs := make([]string, 0, len(a.cfg.MaxFiring))
	for s := range a.cfg.MaxFiring {
		sevs = append(sevs, s)
	}
	sort.Strings(sevs)
	for _, s := range sevs {
		n := firing[severityKey(s)]
		list := uniqueSorted(names[severityKey(s)])
		obs := fmt.Sprintf("%d firing", n)
		if len(list) > 0 {
			obs += ": " + strings.Join(list, ", ")
		}
		r.Assert("no "+s+" alerts firing", n <= a.cfg.MaxFiring[s], obs, fmt.Sprintf("at most %d", a.cfg.MaxFiring[s]))
	}
}

// severityKey is the severity an alert is counted under: critical,
// warning, info, or other for any other value (or none).
func severityKey(s string) string {
	switch s {
	case "critical", "warning", "info":
		return s
	}
	return "other"
}

func uniqueSorted(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	if len(out) > 5 {
		out = append(out[:5], "...")
	}
	return out
}
