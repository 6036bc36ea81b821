package monitoring

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The success criteria (AX.3.01 uptime, AX.3.05 p95) are judged over the
// first week after go-live, not over the last seven days: at: go_live+7d
// evaluates the query at the end of the first week, whenever the check
// runs; before that time has come it is evaluated now, and says so.
func TestPromQLAt(t *testing.T) {
	goLive := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	weekEnd := goLive.Add(7 * 24 * time.Hour)
	cases := []struct {
		name     string
		at       string
		now      time.Time
		wantTime time.Time
		note     string
	}{
		{"after the first week", "go_live+7d", weekEnd.Add(10 * 24 * time.Hour), weekEnd, "at 2026-12-08T08:00:00Z"},
		{"during the first week", "go_live+7d", goLive.Add(3 * 24 * time.Hour), goLive.Add(3 * 24 * time.Hour), "now: 2026-12-08T08:00:00Z is not reached yet"},
		{"go-live itself", "go_live", goLive.Add(time.Hour), goLive, "at 2026-12-01T08:00:00Z"},
		{"a fixed time", "2026-12-04T12:00:00+01:00", weekEnd, time.Date(2026, 12, 4, 11, 0, 0, 0, time.UTC), "at 2026-12-04T11:00:00Z"},
		{"now", "", weekEnd, weekEnd, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := fakeServer(t, map[string]answer{"/api/v1/query": {200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0.995"]}]}}`}})
			at := ""
			if tc.at != "" {
				at = "\n      at: " + tc.at
			}
			c := loadCheck(t, fmt.Sprintf("checklist:\n  go_live: %s\nchecks:\n  - name: q\n    promql:\n      url: %s\n      query: avg_over_time(up[7d])\n      min: 0.99%s\n",
				goLive.Format(time.RFC3339), srv.URL, at))
			chk, err := newPromQL(c, collector.Env{})
			require.NoError(t, err)
			chk.(*promqlCheck).now = func() time.Time { return tc.now }
			r, err := collectortest.RunCheck(t, chk)
			require.NoError(t, err)
			raw, _, _ := strings.Cut(strings.SplitN((*seen)[0], "?", 2)[1], " auth=")
			q, err := url.ParseQuery(raw)
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("%.3f", float64(tc.wantTime.UnixMilli())/1000), q.Get("time"))
			conds := r.Conditions()
			require.Len(t, conds, 1)
			assert.True(t, conds[0].OK)
			if tc.note == "" {
				assert.Equal(t, "0.995", conds[0].Observed)
			} else {
				assert.Equal(t, "0.995 ("+tc.note+")", conds[0].Observed)
			}
		})
	}
}

func TestPromQLAtRefused(t *testing.T) {
	cases := map[string]string{
		"at: go_live+7d":     "checks[0].promql.at: go_live+7d needs checklist.go_live; set the go-live time there, or write an RFC 3339 time",
		"at: go_live+a week": `checks[0].promql.at: "go_live+a week": `,
		"at: next monday":    `checks[0].promql.at: "next monday" is not a time; write go_live, go_live+7d (an offset from checklist.go_live) or an RFC 3339 time such as 2026-12-08T08:00:00Z`,
	}
	for in, want := range cases {
		_, err := config.Load([]byte("checks:\n  - name: q\n    promql:\n      url: http://p:9090\n      query: up\n      max: 1\n      "+in+"\n"), "t.yml")
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
}
