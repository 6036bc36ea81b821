// Package dashboards builds the bundle's Grafana dashboards as code: plain
// Go structs marshalled to the JSON files beside this file (regenerate with
// `go test ./dashboards -update`). Every panel reads its datasource from
// the ${datasource} variable; no datasource uid is hard-coded.
package dashboards

import (
	"bytes"
	"encoding/json"
)

// DS is the datasource reference every panel and variable uses.
var DS = map[string]string{"type": "prometheus", "uid": "${datasource}"}

// Dashboard is the part of Grafana's dashboard model the bundle uses.
type Dashboard struct {
	UID           string     `json:"uid"`
	Title         string     `json:"title"`
	Description   string     `json:"description"`
	Tags          []string   `json:"tags"`
	Timezone      string     `json:"timezone"`
	Editable      bool       `json:"editable"`
	GraphTooltip  int        `json:"graphTooltip"`
	Refresh       string     `json:"refresh"`
	SchemaVersion int        `json:"schemaVersion"`
	Time          TimeRange  `json:"time"`
	Templating    Templating `json:"templating"`
	Annotations   struct {
		List []any `json:"list"`
	} `json:"annotations"`
	Links  []Link   `json:"links"`
	Panels []*Panel `json:"panels"`
}

// TimeRange is the default time range.
type TimeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Templating holds the variables.
type Templating struct {
	List []Variable `json:"list"`
}

// Variable is a template variable.
type Variable struct {
	Name       string            `json:"name"`
	Label      string            `json:"label"`
	Type       string            `json:"type"`
	Query      any               `json:"query"`
	Datasource map[string]string `json:"datasource,omitempty"`
	Refresh    int               `json:"refresh,omitempty"`
	IncludeAll bool              `json:"includeAll"`
	Multi      bool              `json:"multi"`
	AllValue   string            `json:"allValue,omitempty"`
	Current    map[string]any    `json:"current"`
	Hide       int               `json:"hide"`
	Sort       int               `json:"sort,omitempty"`
}

// Link links the dashboards to each other.
type Link struct {
	Title       string   `json:"title"`
	Type        string   `json:"type"`
	URL         string   `json:"url,omitempty"`
	Icon        string   `json:"icon,omitempty"`
	TargetBlank bool     `json:"targetBlank,omitempty"`
	Tags        []string `json:"tags"`
	AsDropdown  bool     `json:"asDropdown"`
	IncludeVars bool     `json:"includeVars"`
	KeepTime    bool     `json:"keepTime"`
}

// GridPos places a panel on the 24-column grid.
type GridPos struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// Target is one query of a panel.
type Target struct {
	RefID        string            `json:"refId"`
	Datasource   map[string]string `json:"datasource"`
	Expr         string            `json:"expr"`
	LegendFormat string            `json:"legendFormat,omitempty"`
	Instant      bool              `json:"instant,omitempty"`
	Range        bool              `json:"range"`
	Format       string            `json:"format,omitempty"`
}

// Threshold is one step of a panel's thresholds.
type Threshold struct {
	Color string   `json:"color"`
	Value *float64 `json:"value"`
}

// Panel is a Grafana panel.
type Panel struct {
	ID          int               `json:"id"`
	Type        string            `json:"type"`
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	GridPos     GridPos           `json:"gridPos"`
	Datasource  map[string]string `json:"datasource,omitempty"`
	Targets     []Target          `json:"targets,omitempty"`
	FieldConfig *FieldConfig      `json:"fieldConfig,omitempty"`
	Options     map[string]any    `json:"options,omitempty"`
	Transforms  []map[string]any  `json:"transformations,omitempty"`
}

// FieldConfig sets units, thresholds and value mappings.
type FieldConfig struct {
	Defaults  FieldDefaults `json:"defaults"`
	Overrides []any         `json:"overrides"`
}

// FieldDefaults are the defaults of every field of a panel.
type FieldDefaults struct {
	Unit       string         `json:"unit"`
	Decimals   *int           `json:"decimals,omitempty"`
	Min        *float64       `json:"min,omitempty"`
	Max        *float64       `json:"max,omitempty"`
	Thresholds Thresholds     `json:"thresholds"`
	Mappings   []any          `json:"mappings"`
	Color      map[string]any `json:"color"`
	Custom     map[string]any `json:"custom,omitempty"`
}

// Thresholds are absolute steps, the first with a nil value.
type Thresholds struct {
	Mode  string      `json:"mode"`
	Steps []Threshold `json:"steps"`
}

// JSON renders the dashboard as Grafana's provisioning expects it.
func (d *Dashboard) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func f(v float64) *float64 { return &v }

// steps builds thresholds: a base colour, then (value, colour) pairs.
func steps(base string, pairs ...any) Thresholds {
	t := Thresholds{Mode: "absolute", Steps: []Threshold{{Color: base}}}
	for i := 0; i+1 < len(pairs); i += 2 {
		t.Steps = append(t.Steps, Threshold{Value: f(toFloat(pairs[i])), Color: pairs[i+1].(string)})
	}
	return t
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	panic("threshold value must be a number")
}

// builder lays panels out row by row on the 24-column grid.
type builder struct {
	d    *Dashboard
	x, y int
	rowH int
	id   int
}

func newDashboard(uid, title, desc, from string) *builder {
	d := &Dashboard{
		UID: uid, Title: title, Description: desc, Tags: []string{"golive"}, Timezone: "browser",
		Refresh: "30s", SchemaVersion: 39, Time: TimeRange{From: from, To: "now"}, GraphTooltip: 1,
		Links: []Link{
			{Title: "Go-Live dashboards", Type: "dashboards", Tags: []string{"golive"}, AsDropdown: true, IncludeVars: true, KeepTime: true},
			// The exporter's readiness board: what blocks GO, item by item.
			{Title: "Readiness board", Type: "link", URL: "${board}", Icon: "external link", TargetBlank: true, Tags: []string{}},
		},
	}
	d.Annotations.List = goLiveAnnotations()
	d.Templating.List = []Variable{
		{Name: "datasource", Label: "Datasource", Type: "datasource", Query: "prometheus", Current: map[string]any{}},
		{Name: "instance", Label: "Exporter", Type: "query", Datasource: DS, Refresh: 2, Sort: 1,
			Query:      map[string]any{"query": "label_values(golive_check_success, instance)", "refId": "instance"},
			IncludeAll: true, Multi: true, AllValue: ".*", Current: map[string]any{"text": "All", "value": "$__all"}},
		// Where the exporter's board is, as the war room reaches it (the
		// docker-compose stack publishes it here); edit it in the dashboard
		// settings or provision another default.
		{Name: "board", Label: "Readiness board URL", Type: "textbox", Query: "http://localhost:10720/",
			Current: map[string]any{"text": "http://localhost:10720/", "value": "http://localhost:10720/"}},
	}
	return &builder{d: d}
}

// goLiveAnnotations mark the planned go-live (at the time the series
// holds, not when it was scraped) and every change of the verdict, on every
// dashboard: "when did we go NO-GO" is the war room's first question.
func goLiveAnnotations() []any {
	ann := func(name, expr, color, title, text string, valueForTime bool) map[string]any {
		a := map[string]any{"name": name, "datasource": DS, "enable": true, "iconColor": color,
			"expr": expr, "step": "1m", "titleFormat": title, "textFormat": text, "tagKeys": "instance"}
		if valueForTime {
			a["useValueForTime"] = true
		}
		return a
	}
	return []any{
		ann("Go-live", `max by (instance) (golive_checklist_go_live_timestamp_seconds{`+sel+`}) * 1000`, "blue",
			"Go-live", "The planned go-live time", true),
		ann("Verdict changes", `min by (instance) (golive_checklist_ready{`+sel+`}) and on (instance) changes(golive_checklist_ready{`+sel+`}[2m]) > 0`, "orange",
			"Verdict changed", "1 = GO, 0 = NO-GO", false),
	}
}

// add places a panel of width w and height h after the previous one,
// wrapping to a new row when the line is full.
func (b *builder) add(p *Panel, w, h int) *Panel {
	if b.x+w > 24 {
		b.x, b.y, b.rowH = 0, b.y+b.rowH, 0
	}
	b.id++
	p.ID = b.id
	p.GridPos = GridPos{X: b.x, Y: b.y, W: w, H: h}
	if p.Type != "row" && p.Type != "text" {
		p.Datasource = DS
	}
	for i := range p.Targets {
		p.Targets[i].Datasource = DS
		p.Targets[i].RefID = string(rune('A' + i))
	}
	b.x += w
	if h > b.rowH {
		b.rowH = h
	}
	b.d.Panels = append(b.d.Panels, p)
	return p
}

// row starts a titled row on a new line.
func (b *builder) row(title string) {
	if b.x > 0 {
		b.x, b.y, b.rowH = 0, b.y+b.rowH, 0
	}
	b.add(&Panel{Type: "row", Title: title, Options: nil}, 24, 1)
	b.x, b.y, b.rowH = 0, b.y+1, 0
}

func fc(unit string, th Thresholds) *FieldConfig {
	return &FieldConfig{Defaults: FieldDefaults{Unit: unit, Thresholds: th, Mappings: []any{},
		Color: map[string]any{"mode": "thresholds"}}, Overrides: []any{}}
}

// stat is a single big number, coloured by thresholds.
func stat(title, desc, expr, unit string, th Thresholds) *Panel {
	return &Panel{Type: "stat", Title: title, Description: desc,
		Targets:     []Target{{Expr: expr, Instant: true}},
		FieldConfig: fc(unit, th),
		Options: map[string]any{"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
			"colorMode": "background", "graphMode": "none", "textMode": "value", "justifyMode": "center"}}
}

// series is a time series panel; thresholds are drawn as dashed lines.
func series(title, desc, unit string, th Thresholds, targets ...Target) *Panel {
	c := fc(unit, th)
	c.Defaults.Color = map[string]any{"mode": "palette-classic"}
	c.Defaults.Custom = map[string]any{"thresholdsStyle": map[string]any{"mode": "dashed"}, "lineWidth": 2, "fillOpacity": 10}
	return &Panel{Type: "timeseries", Title: title, Description: desc, Targets: targets, FieldConfig: c,
		Options: map[string]any{"legend": map[string]any{"displayMode": "list", "placement": "bottom", "showLegend": true},
			"tooltip": map[string]any{"mode": "multi", "sort": "desc"}}}
}

// table shows instant query results as rows.
func table(title, desc, expr string, hide ...string) *Panel {
	exclude := map[string]bool{"Time": true, "Value": true, "__name__": true}
	for _, h := range hide {
		exclude[h] = true
	}
	return &Panel{Type: "table", Title: title, Description: desc,
		Targets:     []Target{{Expr: expr, Instant: true, Format: "table"}},
		FieldConfig: fc("none", steps("text")),
		Options:     map[string]any{"showHeader": true, "cellHeight": "sm", "footer": map[string]any{"show": false, "reducer": []string{"sum"}}},
		Transforms:  []map[string]any{{"id": "organize", "options": map[string]any{"excludeByName": exclude}}}}
}

func q(expr, legend string) Target { return Target{Expr: expr, LegendFormat: legend, Range: true} }

// All returns the bundle's dashboards.
func All() []*Dashboard {
	return []*Dashboard{Readiness(), GoLiveDay(), FirstWeek()}
}
