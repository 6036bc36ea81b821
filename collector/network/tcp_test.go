package network

import (
	"context"
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTCPCheck(t *testing.T) {
	open, closed := testutil.OpenPort(t), testutil.FreeAddr(t)
	cases := []struct {
		name      string
		settings  string
		status    collector.Status
		reason    collector.Reason
		connected float64
		latency   bool
	}{
		{"open port", "address: " + open, collector.StatusPass, collector.ReasonNone, 1, true},
		{"refused", "address: " + closed, collector.StatusFail, collector.ReasonConnRefused, 0, false},
		{"closed as expected", "address: " + closed + "\nexpect: closed", collector.StatusPass, collector.ReasonNone, 0, false},
		{"exposed port", "address: " + open + "\nexpect: closed", collector.StatusFail, collector.ReasonConditionFailed, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runOne(t, "tcp", c.settings)
			assert.Equal(t, c.status, res.Status, res.Message)
			assert.Equal(t, c.reason, res.Reason, res.Message)
			assert.Equal(t, c.connected, mustValue(t, res, "golive_tcp_connect_success"))
			_, hasLatency := value(res, "golive_tcp_connect_duration_seconds")
			assert.Equal(t, c.latency, hasLatency)
		})
	}
	res := runOne(t, "tcp", "address: "+open+"\nexpect: closed")
	cond, ok := condition(res, "port closed")
	require.True(t, ok)
	assert.Equal(t, open+" is open", cond.Observed)
	res = runOne(t, "tcp", "address: "+closed)
	assert.Contains(t, res.Message, "connecting to "+closed)
}

// A run whose context is already over returns at once with a timeout.
func TestTCPCheckHonoursContext(t *testing.T) {
	open := testutil.OpenPort(t)
	cfg, err := config.Load([]byte("checks:\n  - name: c\n    tcp: {address: \""+open+"\"}\n"), "t.yml")
	require.NoError(t, err)
	chk, err := newTCP(cfg.Checks[0], collector.Env{Config: cfg})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = chk.Run(ctx, &collector.Report{})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
}
