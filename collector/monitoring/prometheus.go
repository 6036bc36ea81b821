package monitoring

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/human"
	"github.com/golive/golive_exporter/rules"
)

// maxJobs bounds the job label of golive_prometheus_job_targets_down: jobs
// come from Prometheus' configuration, but a runaway config must not blow
// up our cardinality.
const maxJobs = 100

var (
	promReadyDesc = collector.NewDesc("golive_prometheus_ready",
		"Whether Prometheus answered its readiness endpoint with 200 (1) or not (0).")
	promTargetsDesc = collector.NewDesc("golive_prometheus_targets",
		"Active scrape targets of Prometheus by health (up, down, unknown).", "state")
	promJobDownDesc = collector.NewDesc("golive_prometheus_job_targets_down",
		"Down targets per scrape job (jobs in ignore_jobs included).", "job")
	promGroupsDesc = collector.NewDesc("golive_prometheus_rule_groups_loaded",
		"Rule groups loaded whose name starts with the bundle's prefix.")
	promRulesDesc = collector.NewDesc("golive_prometheus_rules",
		"Rules of the bundle's groups by evaluation health (ok, err, unknown).", "health")
	promSeriesDesc = collector.NewDesc("golive_prometheus_head_series",
		"Series in Prometheus' head block.")
	promHeadTimeDesc = collector.NewDesc("golive_prometheus_head_max_timestamp_seconds",
		"Time of the newest sample Prometheus ingested.")
)

type prometheusCheck struct {
	cfg  *PrometheusCheck
	name string
	cl   *client
	now  func() time.Time
	// groups must all be loaded: rule_groups, or else every group of the
	// shipped bundle when the prefix is the bundle's; empty: at least one
	// group with the prefix (a renamed bundle whose names we cannot know).
	groups []string
}

func newPrometheus(c *config.Check, env collector.Env) (collector.Check, error) {
	cl, err := newClient(env, &c.Spec().(*PrometheusCheck).MonitoringClient, c.Name)
	if err != nil {
		return nil, err
	}
	p := &prometheusCheck{cfg: c.Spec().(*PrometheusCheck), name: c.Name, cl: cl, now: time.Now, groups: c.Spec().(*PrometheusCheck).RuleGroups}
	if len(p.groups) == 0 && c.Spec().(*PrometheusCheck).RuleGroupPrefix == DefaultRuleGroupPrefix {
		// Loading one file of the bundle is not loading the bundle: a
		// forgotten rule file means alerts that can never fire.
		g, err := rules.GroupNames()
		if err != nil {
			return nil, fmt.Errorf("check %s: the bundle's rule groups: %w", c.Name, err)
		}
		p.groups = g
	}
	return p, nil
}

// Run checks readiness, then targets, rules and ingestion.
func (p *prometheusCheck) Run(ctx context.Context, r *collector.Report) error {
	cl := p.cl

	if ready, err := cl.ready(ctx, r, "/-/ready", promReadyDesc, "Prometheus ready"); !ready {
		return err
	}

	if err := p.targets(ctx, cl, r); err != nil {
		return err
	}
	if !p.cfg.SkipRules {
		if err := p.rules(ctx, cl, r); err != nil {
			return err
		}
	}
	return p.ingestion(ctx, cl, r)
}

func (p *prometheusCheck) targets(ctx context.Context, cl *client, r *collector.Report) error {
	ts, err := fetch(ctx, cl, "/api/v1/targets", url.Values{"state": {"active"}}, "targets", parseTargets)
	if err != nil {
		return err
	}
	ignored := map[string]bool{}
	for _, j := range p.cfg.IgnoreJobs {
		ignored[j] = true
	}
	states := map[string]float64{"up": 0, "down": 0, "unknown": 0}
	perJob := map[string]int{}
	down := 0
	var downJobs []string
	for _, t := range ts {
		h := t.Health
		if h != "up" && h != "down" {
			h = "unknown"
		}
		states[h]++
		if _, ok := perJob[t.Job]; !ok {
			perJob[t.Job] = 0
		}
		if h == "down" {
			perJob[t.Job]++
			if !ignored[t.Job] {
				down++
			}
		}
	}
	for _, s := range []string{"up", "down", "unknown"} {
		r.Gauge(promTargetsDesc, states[s], s)
	}
	jobs := make([]string, 0, len(perJob))
	for j := range perJob {
		jobs = append(jobs, j)
	}
	sort.Strings(jobs)
	for i, j := range jobs {
		if perJob[j] > 0 && !ignored[j] {
			downJobs = append(downJobs, j)
		}
		if i < maxJobs {
			r.Gauge(promJobDownDesc, float64(perJob[j]), j)
		}
	}
	observed := fmt.Sprintf("%d of %d targets down", down, len(ts))
	if len(downJobs) > 0 {
		// The message is read by people: name the first few jobs.
		observed += " (jobs " + human.List(downJobs, 10) + ")"
	}
	r.Assert("targets up", down <= p.cfg.MaxDownTargets, observed, fmt.Sprintf("at most %d down", p.cfg.MaxDownTargets))
	return nil
}

func (p *prometheusCheck) rules(ctx context.Context, cl *client, r *collector.Report) error {
	groups, err := fetch(ctx, cl, "/api/v1/rules", nil, "rules", parseRules)
	if err != nil {
		return err
	}
	loaded := map[string]bool{}
	health := map[string]float64{"ok": 0, "err": 0, "unknown": 0}
	var failing []string
	bundle := 0
	for _, g := range groups {
		loaded[g.Name] = true
		if !strings.HasPrefix(g.Name, p.cfg.RuleGroupPrefix) {
			continue
		}
		bundle++
		for _, ru := range g.Rules {
			h := ru.Health
			if h != "ok" && h != "err" {
				h = "unknown"
			}
			health[h]++
			if h == "err" {
				failing = append(failing, ru.Name)
			}
		}
	}
	r.Gauge(promGroupsDesc, float64(bundle))
	for _, h := range []string{"ok", "err", "unknown"} {
		r.Gauge(promRulesDesc, health[h], h)
	}
	if len(p.groups) > 0 {
		var missing []string
		for _, g := range p.groups {
			if !loaded[g] {
				missing = append(missing, g)
			}
		}
		r.Assert("rule groups loaded", len(missing) == 0, "missing: "+orNone(missing), strings.Join(p.groups, ", "))
	} else {
		r.Assert("rule groups loaded", bundle > 0, fmt.Sprintf("%d groups named %s*", bundle, p.cfg.RuleGroupPrefix),
			"at least one (load rules/*.rules.yml)")
	}
	sort.Strings(failing)
	if len(failing) > 5 {
		failing = append(failing[:5], "...")
	}
	r.Assert("rules evaluate without errors", health["err"] == 0,
		fmt.Sprintf("%d rules failing: %s", int(health["err"]), orNone(failing)), "0 failing")
	return nil
}

func (p *prometheusCheck) ingestion(ctx context.Context, cl *client, r *collector.Report) error {
	hs, err := fetch(ctx, cl, "/api/v1/status/tsdb", nil, "TSDB status", parseTSDB)
	if err != nil {
		return err
	}
	r.Gauge(promSeriesDesc, float64(hs.NumSeries))
	maxAge := time.Duration(p.cfg.MaxHeadAge)
	if hs.NumSeries == 0 || hs.MaxTime <= 0 {
		r.Assert("samples ingested", false, "no series in the head", fmt.Sprintf("a sample in the last %s", maxAge))
		return nil
	}
	newest := time.UnixMilli(hs.MaxTime)
	r.Gauge(promHeadTimeDesc, float64(hs.MaxTime)/1000)
	age := p.now().Sub(newest)
	r.AssertReason(collector.ReasonStale, "samples ingested", age <= maxAge, fmt.Sprintf("newest sample %s old", human.Duration(age)),
		fmt.Sprintf("at most %s", maxAge))
	return nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
