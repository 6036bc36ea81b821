package dashboards

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/collector/monitoring"
	"github.com/golive/golive_exporter/rules"
	"github.com/golive/golive_exporter/rules/ruletest"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the dashboard JSON files")

func fileName(d *Dashboard) string { return strings.TrimPrefix(d.UID, "golive-") + ".json" }

func TestJSONInSync(t *testing.T) {
	for _, d := range All() {
		want, err := d.JSON()
		require.NoError(t, err)
		if *update {
			require.NoError(t, os.WriteFile(fileName(d), want, 0o644))
		}
		got, err := os.ReadFile(fileName(d))
		require.NoError(t, err, "run go test ./dashboards -update")
		assert.Equal(t, string(want), string(got), "%s is out of date: run go test ./dashboards -update", fileName(d))
	}
}

// grafanaVars are Grafana's built-in and the dashboards' own variables,
// replaced by something PromQL accepts before parsing.
var grafanaVars = strings.NewReplacer(
	"$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h", "${datasource}", "x",
	`"$instance"`, `".*"`, "$instance", ".*", "$severity", ".*", "$area", ".*",
)

var recordRef = regexp.MustCompile(`\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b`)

// loaded is the committed JSON decoded generically, as Grafana reads it.
type loaded struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID         int               `json:"id"`
		Type       string            `json:"type"`
		Title      string            `json:"title"`
		GridPos    GridPos           `json:"gridPos"`
		Datasource map[string]string `json:"datasource"`
		Targets    []struct {
			Expr       string            `json:"expr"`
			Datasource map[string]string `json:"datasource"`
		} `json:"targets"`
		FieldConfig *struct {
			Defaults struct {
				Unit       string `json:"unit"`
				Thresholds struct {
					Steps []Threshold `json:"steps"`
				} `json:"thresholds"`
			} `json:"defaults"`
		} `json:"fieldConfig"`
	} `json:"panels"`
}

// problems lists what is wrong with one dashboard's JSON.
func problems(b []byte, known, recorded map[string]bool, labels map[string]map[string]bool) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	var d loaded
	if err := json.Unmarshal(b, &d); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	if d.Title == "" || d.UID == "" {
		add("no title or uid")
	}
	if len(d.Templating.List) == 0 || d.Templating.List[0].Type != "datasource" {
		add("the first variable is not the datasource")
	}
	for _, m := range regexp.MustCompile(`"uid":\s*"([^"]*)"`).FindAllStringSubmatch(string(b), -1) {
		if m[1] != "${datasource}" && m[1] != d.UID {
			add("hard-coded uid %q", m[1])
		}
	}
	p := parser.NewParser(parser.Options{})
	ids := map[int]bool{}
	for i, pn := range d.Panels {
		if ids[pn.ID] {
			add("panel id %d twice", pn.ID)
		}
		ids[pn.ID] = true
		g := pn.GridPos
		if g.X < 0 || g.W <= 0 || g.H <= 0 || g.X+g.W > 24 {
			add("%q is outside the grid: %+v", pn.Title, g)
		}
		for _, other := range d.Panels[:i] {
			o := other.GridPos
			if g.X < o.X+o.W && o.X < g.X+g.W && g.Y < o.Y+o.H && o.Y < g.Y+g.H {
				add("%q overlaps %q", pn.Title, other.Title)
			}
		}
		if pn.Type == "row" {
			continue
		}
		if pn.Datasource["uid"] != "${datasource}" {
			add("%q: datasource is not ${datasource}", pn.Title)
		}
		if pn.FieldConfig == nil || pn.FieldConfig.Defaults.Unit == "" {
			add("%q: no unit", pn.Title)
		} else if len(pn.FieldConfig.Defaults.Thresholds.Steps) == 0 {
			add("%q: no thresholds", pn.Title)
		}
		if len(pn.Targets) == 0 {
			add("%q: no query", pn.Title)
		}
		for _, tg := range pn.Targets {
			if tg.Datasource["uid"] != "${datasource}" {
				add("%q: a target's datasource is not ${datasource}", pn.Title)
			}
			if _, err := p.ParseExpr(grafanaVars.Replace(tg.Expr)); err != nil {
				add("%q: %s does not parse: %v", pn.Title, tg.Expr, err)
			} else if bad, _ := ruletest.UnknownLabelMatchers(grafanaVars.Replace(tg.Expr), labels); len(bad) > 0 {
				add("%q matches labels the metric does not have: %v", pn.Title, bad)
			}
			for _, m := range ruletest.MetricRef.FindAllString(tg.Expr, -1) {
				if !known[m] {
					add("%q uses %s, which the exporter does not export", pn.Title, m)
				}
			}
			for _, r := range recordRef.FindAllString(tg.Expr, -1) {
				if !recorded[r] {
					add("%q uses %s, which no rule records", pn.Title, r)
				}
			}
		}
	}
	return out
}

func TestDashboards(t *testing.T) {
	root, err := ruletest.ModuleRoot()
	require.NoError(t, err)
	known, err := ruletest.KnownMetrics(root)
	require.NoError(t, err)
	recorded, err := rules.RecordedNames()
	require.NoError(t, err)
	require.NotEmpty(t, recorded)
	labels, err := ruletest.KnownLabels(root)
	require.NoError(t, err)
	files, _ := filepath.Glob("*.json")
	require.Len(t, files, 3)
	uids := map[string]bool{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Empty(t, problems(b, known, recorded, labels), file)
		var d loaded
		require.NoError(t, json.Unmarshal(b, &d))
		assert.False(t, uids[d.UID], "uid %s used twice", d.UID)
		uids[d.UID] = true
	}
}

// TestProblemsFound feeds the validator a broken dashboard: it must see
// every fault.
func TestProblemsFound(t *testing.T) {
	broken := `{"uid":"x","title":"Broken","templating":{"list":[{"name":"instance","type":"query"}]},"panels":[
	 {"id":1,"type":"stat","title":"A","gridPos":{"x":0,"y":0,"w":12,"h":4},"datasource":{"uid":"P1809F7CD0C75ACF3"},
	  "targets":[{"expr":"golive_no_such_metric","datasource":{"uid":"${datasource}"}},{"expr":"golive_known{quantile=\"0.95\"}","datasource":{"uid":"${datasource}"}}],"fieldConfig":{"defaults":{"unit":"s","thresholds":{"steps":[{"color":"red"}]}}}},
	 {"id":1,"type":"timeseries","title":"B","gridPos":{"x":6,"y":2,"w":20,"h":4},"datasource":{"uid":"${datasource}"},
	  "targets":[{"expr":"sum(rate(x[$__rate_interval])","datasource":{"uid":"${datasource}"}},{"expr":"golive:nothing:recorded","datasource":{"uid":"${datasource}"}}],
	  "fieldConfig":{"defaults":{"unit":"","thresholds":{"steps":[]}}}}]}`
	got := strings.Join(problems([]byte(broken), map[string]bool{"golive_known": true}, map[string]bool{},
		map[string]map[string]bool{"golive_known": {"check": true, "percentile": true}}), "\n")
	for _, want := range []string{"the first variable is not the datasource", `hard-coded uid "P1809F7CD0C75ACF3"`,
		"panel id 1 twice", `"B" is outside the grid`, `"B" overlaps "A"`, `"A": datasource is not`, `"B": no unit`,
		"does not parse", "golive_no_such_metric, which the exporter does not export", "golive:nothing:recorded, which no rule records", "golive_known{quantile}"} {
		assert.Contains(t, got, want)
	}
}

// TestThresholdsAtChecklistNumbers pins the numbers drawn on the boards.
func TestThresholdsAtChecklistNumbers(t *testing.T) {
	values := map[string][]float64{}
	for _, d := range All() {
		for _, p := range d.Panels {
			if p.FieldConfig == nil {
				continue
			}
			for _, s := range p.FieldConfig.Defaults.Thresholds.Steps {
				if s.Value != nil {
					values[d.UID+"/"+p.Title] = append(values[d.UID+"/"+p.Title], *s.Value)
				}
			}
		}
	}
	assert.Equal(t, []float64{0.38, 0.5}, values["golive-day/API p95"])
	assert.Equal(t, []float64{0.99}, values["golive-first-week/Uptime (7 days)"])
	assert.Equal(t, []float64{0.8}, values["golive-first-week/User adoption"])
	assert.Equal(t, []float64{93600}, values["golive-day/Backup age"])
	assert.Equal(t, []float64{0.5}, values["golive-first-week/Response time p95"])
}

// The grafana check looks for the shipped dashboards by default
// (monitoring.BundleDashboardUIDs): a renamed uid must rename it there too, or
// the check would fail on a Grafana that has every dashboard.
func TestGrafanaCheckDefaultsToTheseDashboards(t *testing.T) {
	var uids []string
	for _, d := range All() {
		uids = append(uids, d.UID)
	}
	assert.Equal(t, uids, monitoring.BundleDashboardUIDs)
}

// TestWarRoomAids: the firing-alerts table can be narrowed by severity and
// area (an hour of info alerts must not bury the critical ones), and every
// dashboard marks the planned go-live and each change of the verdict.
func TestWarRoomAids(t *testing.T) {
	for _, d := range All() {
		var exprs []string
		for _, a := range d.Annotations.List {
			m, ok := a.(map[string]any)
			require.True(t, ok)
			if e, ok := m["expr"].(string); ok {
				exprs = append(exprs, e)
				_, err := parser.NewParser(parser.Options{}).ParseExpr(grafanaVars.Replace(e))
				assert.NoError(t, err, "%s: annotation %v", d.UID, m["name"])
				if strings.Contains(e, "golive_checklist_go_live_timestamp_seconds") {
					assert.Equal(t, true, m["useValueForTime"], "%s: the go-live annotation must sit at the go-live time, the series' value", d.UID)
				}
			}
		}
		joined := strings.Join(exprs, "\n")
		assert.Contains(t, joined, "golive_checklist_go_live_timestamp_seconds", "%s: no go-live annotation", d.UID)
		assert.Contains(t, joined, "changes(golive_checklist_ready", "%s: no verdict-change annotation", d.UID)
	}
	for _, d := range All() {
		var board bool
		for _, l := range d.Links {
			board = board || (l.Type == "link" && l.URL == "${board}")
		}
		assert.True(t, board, "%s: no link to the readiness board", d.UID)
		var hasVar bool
		for _, v := range d.Templating.List {
			hasVar = hasVar || (v.Name == "board" && v.Type == "textbox")
		}
		assert.True(t, hasVar, "%s: no board variable", d.UID)
	}
	day := GoLiveDay()
	var exprs []string
	for _, p := range day.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	all := strings.Join(exprs, "\n")
	assert.Contains(t, all, "golive_check_queue_wait_seconds", "golive-day shows no queue wait")
	assert.Contains(t, all, "golive_scrape_collection_duration_seconds_bucket", "golive-day shows no scrape cost")
	vars := map[string]Variable{}
	for _, v := range day.Templating.List {
		vars[v.Name] = v
	}
	for _, name := range []string{"severity", "area"} {
		v, ok := vars[name]
		require.True(t, ok, "golive-day has no %s variable", name)
		assert.True(t, v.Multi && v.IncludeAll, name)
	}
	var table *Panel
	for _, p := range day.Panels {
		if p.Title == "Firing alerts" {
			table = p
		}
	}
	require.NotNil(t, table)
	assert.Contains(t, table.Targets[0].Expr, `severity=~"$severity"`)
	assert.Contains(t, table.Targets[0].Expr, `area=~"$area"`)
}
