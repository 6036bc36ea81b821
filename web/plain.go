package web

import (
	"html/template"
	"net/http"

	"github.com/golive/golive_exporter/collector"
)

// plainTmpl is the page shown when no checklist board is configured: every
// check with its state. html/template escapes everything it prints.
var plainTmpl = template.Must(template.New("plain").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>golive_exporter</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}
.pass{color:#1a7f37}.warn{color:#9a6700}.fail{color:#cf222e}.unknown{color:#57606a}</style></head>
<body><h1>golive_exporter</h1>
<p><a href="{{.Metrics}}">Metrics</a> · <a href="/api/v1/status">Status JSON</a> · <a href="/config">Configuration</a></p>
<table><tr><th>Check</th><th>Kind</th><th>Items</th><th>Result</th><th>Reason</th><th>Message</th></tr>
{{range .Results}}<tr><td>{{.Check}}</td><td>{{.Kind}}</td><td>{{range .Items}}{{.}} {{end}}</td>
<td class="{{.Status}}">{{.Status}}</td><td>{{.Reason}}</td><td>{{.Message}}</td></tr>
{{end}}</table></body></html>
`))

func servePlainBoard(w http.ResponseWriter, metricsPath string, results []collector.Result) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = plainTmpl.Execute(w, struct {
		Metrics string
		Results []collector.Result
	}{metricsPath, results})
}
