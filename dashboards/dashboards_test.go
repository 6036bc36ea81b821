package dashboards

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/rules"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
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
	`"$instance"`, `".*"`, "$instance", ".*",
)

// recordedNames returns the recording rules of the bundle.
func recordedNames(t *testing.T) map[string]bool {
	out := map[string]bool{}
	for _, name := range rules.FileNames() {
		b, err := rules.Files.ReadFile(name)
		require.NoError(t, err)
		var f struct {
			Groups []struct {
				Rules []struct {
					Record string `yaml:"record"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		require.NoError(t, yaml.Unmarshal(b, &f))
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					out[r.Record] = true
				}
			}
		}
	}
	return out
}

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

func TestDashboards(t *testing.T) {
	root, err := rules.ModuleRoot()
	require.NoError(t, err)
	known, err := rules.KnownMetrics(root)
	require.NoError(t, err)
	recorded := recordedNames(t)
	p := parser.NewParser(parser.Options{})
	files, _ := filepath.Glob("*.json")
	require.Len(t, files, 3)
	uids := map[string]bool{}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			var d loaded
			require.NoError(t, json.Unmarshal(b, &d))
			assert.NotEmpty(t, d.Title)
			assert.False(t, uids[d.UID], "uid %s used twice", d.UID)
			uids[d.UID] = true
			require.NotEmpty(t, d.Templating.List)
			assert.Equal(t, "datasource", d.Templating.List[0].Type, "the datasource is a template variable")
			// No datasource uid is hard-coded anywhere in the file.
			for _, m := range regexp.MustCompile(`"uid":\s*"([^"]*)"`).FindAllStringSubmatch(string(b), -1) {
				assert.Contains(t, []string{"${datasource}", d.UID}, m[1], "hard-coded uid")
			}
			ids := map[int]bool{}
			for i, pn := range d.Panels {
				assert.False(t, ids[pn.ID], "panel id %d twice", pn.ID)
				ids[pn.ID] = true
				g := pn.GridPos
				assert.True(t, g.X >= 0 && g.W > 0 && g.H > 0 && g.X+g.W <= 24, "%s: outside the grid: %+v", pn.Title, g)
				for _, other := range d.Panels[:i] {
					o := other.GridPos
					overlap := g.X < o.X+o.W && o.X < g.X+g.W && g.Y < o.Y+o.H && o.Y < g.Y+g.H
					assert.False(t, overlap, "%q overlaps %q", pn.Title, other.Title)
				}
				if pn.Type == "row" {
					continue
				}
				assert.Equal(t, "${datasource}", pn.Datasource["uid"], pn.Title)
				require.NotNil(t, pn.FieldConfig, pn.Title)
				assert.NotEmpty(t, pn.FieldConfig.Defaults.Unit, "%s: no unit", pn.Title)
				assert.NotEmpty(t, pn.FieldConfig.Defaults.Thresholds.Steps, pn.Title)
				require.NotEmpty(t, pn.Targets, pn.Title)
				for _, tg := range pn.Targets {
					assert.Equal(t, "${datasource}", tg.Datasource["uid"])
					_, err := p.ParseExpr(grafanaVars.Replace(tg.Expr))
					assert.NoError(t, err, "%s: %s", pn.Title, tg.Expr)
					for _, m := range rules.MetricRef.FindAllString(tg.Expr, -1) {
						assert.True(t, known[m], "%s uses %s, which the exporter does not export", pn.Title, m)
					}
					for _, r := range recordRef.FindAllString(tg.Expr, -1) {
						assert.True(t, recorded[r], "%s uses %s, which no rule records", pn.Title, r)
					}
				}
			}
		})
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
