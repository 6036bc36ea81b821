package monitoring

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHungServerTimesOut: every kind returns when its context ends, with
// reason timeout, even when the server never answers.
func TestHungServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	kinds := map[string]struct {
		yml   string
		build collector.Factory
	}{
		"prometheus":    {"prometheus:\n      url: " + srv.URL, newPrometheus},
		"alertmanager":  {"alertmanager:\n      url: " + srv.URL, newAlertmanager},
		"grafana":       {"grafana:\n      url: " + srv.URL, newGrafana},
		"loki":          {"loki:\n      url: " + srv.URL, newLoki},
		"promql":        {"promql:\n      url: " + srv.URL + "\n      query: up\n      max: 1", newPromQL},
		"service_ready": {"service_ready:\n      url: " + srv.URL + "\n      preset: promtail", newServiceReady},
	}
	for name, k := range kinds {
		t.Run(name, func(t *testing.T) {
			c := loadCheck(t, "checks:\n  - name: x\n    "+k.yml+"\n")
			chk, err := k.build(c, collector.Env{})
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			err = chk.Run(ctx, &collector.Report{})
			require.Error(t, err)
			assert.Equal(t, collector.ReasonTimeout, collector.ReasonOf(err), err.Error())
		})
	}
}
