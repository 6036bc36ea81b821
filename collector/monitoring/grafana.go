package monitoring

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

var (
	grafanaHealthyDesc = collector.NewDesc("golive_grafana_healthy",
		"Whether Grafana's /api/health reports its database ok (1) or not (0).")
	grafanaDashboardsDesc = collector.NewDesc("golive_grafana_dashboards_missing",
		"Configured dashboards (dashboard_uids) that Grafana's search does not find.")
)

type grafanaCheck struct {
	cfg  *GrafanaCheck
	name string
	cl   *client
}

func newGrafana(c *config.Check, env collector.Env) (collector.Check, error) {
	cl, err := newClient(env, &c.Spec().(*GrafanaCheck).MonitoringClient, c.Name)
	if err != nil {
		return nil, err
	}
	return &grafanaCheck{cfg: c.Spec().(*GrafanaCheck), name: c.Name, cl: cl}, nil
}

// Run checks /api/health, then looks the dashboards up by uid.
func (g *grafanaCheck) Run(ctx context.Context, r *collector.Report) error {
	cl := g.cl

	code, body, err := cl.get(ctx, "/api/health", nil)
	if err != nil {
		r.Bool(grafanaHealthyDesc, false)
		return err
	}
	db, perr := parseGrafanaHealth(body)
	healthy := code == http.StatusOK && perr == nil && db == "ok"
	r.Bool(grafanaHealthyDesc, healthy)
	obs := fmt.Sprintf("answered %d, database %s", code, db)
	if perr != nil {
		obs = fmt.Sprintf("answered %d: %v", code, perr)
	}
	r.AssertReason(collector.StatusConditionReason(code), "Grafana healthy", healthy, obs, "200, database ok")
	if !healthy || g.cfg.DashboardUIDs == nil || len(*g.cfg.DashboardUIDs) == 0 {
		return nil
	}

	want := *g.cfg.DashboardUIDs
	q := url.Values{"type": {"dash-db"}, "dashboardUIDs": want, "limit": {"5000"}}
	found, err := fetch(ctx, cl, "/api/search", q, "dashboard search", parseGrafanaSearch)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, u := range found {
		have[u] = true
	}
	var missing []string
	for _, u := range want {
		if !have[u] {
			missing = append(missing, u)
		}
	}
	r.Gauge(grafanaDashboardsDesc, float64(len(missing)))
	r.Assert("dashboards present", len(missing) == 0, "missing: "+orNone(missing), strings.Join(want, ", "))
	return nil
}
