package monitoring

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

var (
	lokiReadyDesc = collector.NewDesc("golive_loki_ready",
		"Whether Loki answered its readiness endpoint with 200 (1) or not (0).")
	lokiErrorsDesc = collector.NewDesc("golive_loki_error_lines",
		"Error-level log lines counted over the check's window by its LogQL query.")
	lokiWindowDesc = collector.NewDesc("golive_loki_error_window_seconds",
		"The window over which golive_loki_error_lines and golive_loki_lines count.")
	lokiLinesDesc = collector.NewDesc("golive_loki_lines",
		"Log lines of any level the selected streams received over the window.")
)

type lokiCheck struct {
	cfg  *LokiCheck
	name string
	cl   *client
	now  func() time.Time
}

func newLoki(c *config.Check, env collector.Env) (collector.Check, error) {
	cl, err := newClient(env, &c.Spec().(*LokiCheck).MonitoringClient, c.Name)
	if err != nil {
		return nil, err
	}
	return &lokiCheck{cfg: c.Spec().(*LokiCheck), name: c.Name, cl: cl, now: time.Now}, nil
}

// Run checks /ready, then counts error lines with an instant LogQL query.
func (l *lokiCheck) Run(ctx context.Context, r *collector.Report) error {
	cl := l.cl

	if ready, err := cl.ready(ctx, r, "/ready", lokiReadyDesc, "Loki ready"); !ready || l.cfg.SkipQuery {
		return err
	}

	window := time.Duration(l.cfg.Window)
	r.Gauge(lokiWindowDesc, window.Seconds())
	if *l.cfg.MinLines > 0 {
		lines, err := l.count(ctx, cl, l.cfg.IngestLogQL())
		if err != nil {
			return err
		}
		r.Gauge(lokiLinesDesc, lines)
		r.Assert("log lines ingested", lines >= float64(*l.cfg.MinLines),
			fmt.Sprintf("%.0f lines in the last %s", lines, l.cfg.Window), fmt.Sprintf("at least %d", *l.cfg.MinLines))
	}
	n, err := l.count(ctx, cl, l.cfg.LogQL())
	if err != nil {
		return err
	}
	r.Gauge(lokiErrorsDesc, n)
	r.Assert("no error lines in logs", n <= float64(l.cfg.MaxErrors),
		fmt.Sprintf("%.0f error lines in the last %s", n, l.cfg.Window), fmt.Sprintf("at most %d", l.cfg.MaxErrors))
	return nil
}

// count runs an instant LogQL metric query and sums its result; no series
// means no matching line in the window.
func (l *lokiCheck) count(ctx context.Context, cl *client, logql string) (float64, error) {
	q := url.Values{"query": {logql}, "time": {strconv.FormatInt(l.now().UnixNano(), 10)}}
	samples, err := fetch(ctx, cl, "/loki/api/v1/query", q, "LogQL query", parseQuery)
	if err != nil {
		return 0, err
	}
	var n float64
	for _, s := range samples {
		n += s.Value
	}
	return n, nil
}
