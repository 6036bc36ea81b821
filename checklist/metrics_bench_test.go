package checklist

import (
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	_ "github.com/golive/golive_exporter/collector/all" // the default configuration's postgres and redis kinds
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkExporterUnchanged measures what the checklist adds to a scrape
// of the embedded default configuration (three checks, the shipped
// 279-item checklist) when nothing changed since the previous scrape: the
// fixed cost every scrape pays. Without a checklist: section only the
// verdict and the per-phase summary are exported; with one, every item's
// series too, resent as rendered before.
func BenchmarkExporterUnchanged(b *testing.B) {
	for _, bc := range []struct {
		section  string
		observed bool
	}{{"none", false}, {"checklist: {}", false}, {"none", true}} {
		section := bc.section
		name := "checklist=" + section
		if bc.observed {
			// As the binary does: the board's history observes the
			// scrapes' evaluations.
			name += "/observed"
		}
		b.Run(name, func(b *testing.B) {
			yml := config.DefaultYAML()
			if section != "none" {
				yml = append(append([]byte(nil), yml...), []byte("\n"+section+"\n")...)
			}
			cfg, err := config.Load(yml, "default.yml")
			if err != nil {
				b.Fatal(err)
			}
			m, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			var results []collector.Result
			for _, c := range cfg.Checks {
				results = append(results, collector.Result{Check: c.Name, Kind: c.Kind(), Items: c.Items, Status: collector.StatusPass, Start: time.Now()})
			}
			exp := m.Exporter(nil)
			if bc.observed {
				exp = m.ExporterObserved(nil, func(*Status) {})
			}
			ch := make(chan prometheus.Metric, 4096)
			series := 0
			b.ReportAllocs()
			for b.Loop() {
				exp(results, ch)
				series = len(ch)
				for len(ch) > 0 {
					<-ch
				}
			}
			b.ReportMetric(float64(series), "series")
		})
	}
}
