package monitoring

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

var (
	serviceReadyDesc = collector.NewDesc("golive_service_ready",
		"Whether the monitoring service answered its readiness endpoint as ready (1) or not (0).", "preset")
	serviceReadyCodeDesc = collector.NewDesc("golive_service_ready_status_code",
		"HTTP status of the readiness answer.", "preset")
)

type serviceReadyCheck struct {
	cfg  *ServiceReadyCheck
	name string
	cl   *client
}

func newServiceReady(c *config.Check, env collector.Env) (collector.Check, error) {
	cl, err := newClient(env, &c.Spec().(*ServiceReadyCheck).MonitoringClient, c.Name)
	if err != nil {
		return nil, err
	}
	return &serviceReadyCheck{cfg: c.Spec().(*ServiceReadyCheck), name: c.Name, cl: cl}, nil
}

// Run requests the preset's readiness path: 200 (and the expected text,
// when the preset has one) is ready.
func (s *serviceReadyCheck) Run(ctx context.Context, r *collector.Report) error {
	preset := ReadyPresets[s.cfg.Preset]
	cl := s.cl
	code, body, err := cl.get(ctx, preset.Path, nil)
	if err != nil {
		r.Bool(serviceReadyDesc, false, s.cfg.Preset)
		return err
	}
	ready := code == http.StatusOK && (preset.BodyContains == "" || bytes.Contains(body, []byte(preset.BodyContains)))
	r.Gauge(serviceReadyCodeDesc, float64(code), s.cfg.Preset)
	r.Bool(serviceReadyDesc, ready, s.cfg.Preset)
	expected := "200"
	if preset.BodyContains != "" {
		expected += " containing " + preset.BodyContains
	}
	r.AssertReason(collector.StatusConditionReason(code), s.cfg.Preset+" ready", ready, fmt.Sprintf("%s answered %d %s", preset.Path, code, snippet(body)), expected)
	return nil
}
