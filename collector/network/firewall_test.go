package network

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// filteredPort returns a loopback port that never answers a connection, as
// a port behind a DROP rule does: a socket listening with a backlog of 0
// whose queue is already full, so that the kernel drops every further SYN.
func filteredPort(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	// Fill the accept queue: connections complete until it is full; the
	// first that times out proves the port now drops.
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			var ne net.Error
			require.True(t, errors.As(err, &ne) && ne.Timeout(), "filling the queue: %v", err)
			return addr
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Fatalf("the backlog-0 listener kept accepting connections")
	return ""
}

func TestFirewallCheck(t *testing.T) {
	open, open2 := testutil.OpenPort(t), testutil.OpenPort(t)
	closed, filtered := testutil.FreeAddr(t), filteredPort(t)
	cases := []struct {
		name       string
		settings   string
		status     collector.Status
		unexpected float64
		openSeries map[string]float64 // "address expect" -> value
		failed     map[string]string  // condition -> observed
	}{
		{
			name:       "as required",
			settings:   "open: [" + open + ", " + open2 + "]\nclosed: [" + closed + ", " + filtered + "]\nconnect_timeout: 500ms",
			status:     collector.StatusPass,
			openSeries: map[string]float64{open + " open": 1, open2 + " open": 1, closed + " closed": 0, filtered + " closed": 0},
		},
		{
			name:       "a database port exposed, the app port closed",
			settings:   "open: [" + closed + "]\nclosed: [" + open + "]",
			status:     collector.StatusFail,
			unexpected: 2,
			openSeries: map[string]float64{closed + " open": 0, open + " closed": 1},
			failed:     map[string]string{"port " + closed + " open": "closed (connection refused)", "port " + open + " closed": "open"},
		},
		{
			name:       "a filtered port must answer",
			settings:   "open: [" + filtered + "]\nconnect_timeout: 300ms",
			status:     collector.StatusFail,
			unexpected: 1,
			openSeries: map[string]float64{filtered + " open": 0},
			failed:     map[string]string{"port " + filtered + " open": "closed (filtered: no answer within 300ms)"},
		},
		{
			name:       "a host that does not resolve is not closed",
			settings:   "host: nonexistent.invalid\nclosed: [5432]",
			status:     collector.StatusFail,
			unexpected: 1,
			openSeries: map[string]float64{},
			failed:     map[string]string{"port nonexistent.invalid:5432 closed": "not tested: "},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runOne(t, "firewall", c.settings)
			assert.Equal(t, c.status, res.Status, res.Message)
			assert.Equal(t, c.unexpected, mustValue(t, res, "golive_firewall_ports_unexpected"))
			got := map[string]float64{}
			for _, s := range res.Samples() {
				if metricName(s) == "golive_firewall_port_open" {
					got[s.Labels[0]+" "+s.Labels[1]] = s.Value
				}
			}
			assert.Equal(t, c.openSeries, got)
			for _, cond := range res.Conditions {
				want, isFailed := c.failed[cond.Name]
				assert.Equal(t, isFailed, !cond.OK, "condition %s: %s", cond.Name, cond.Observed)
				if isFailed {
					assert.Contains(t, cond.Observed, want, cond.Name)
				}
			}
			if c.status == collector.StatusFail {
				assert.Equal(t, collector.ReasonConditionFailed, res.Reason)
			}
		})
	}
}

// The check's own timeout ends every attempt: the run reports a timeout,
// not a closed port.
func TestFirewallCheckHonoursContext(t *testing.T) {
	cfg, err := config.Load([]byte("checks:\n  - name: c\n    firewall: {closed: [\""+testutil.FreeAddr(t)+"\"]}\n"), "t.yml")
	require.NoError(t, err)
	chk, err := newFirewall(cfg.Checks[0], collector.Env{Config: cfg})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = chk.Run(ctx, &collector.Report{})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
}

// Errors a dial can end with, and what the port counts as.
func TestFirewallProbeStates(t *testing.T) {
	cases := []struct {
		err  error
		want portState
	}{
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, portRefused},
		{&net.OpError{Op: "dial", Err: syscall.EHOSTUNREACH}, portUnreachable},
		{&net.OpError{Op: "dial", Err: syscall.ENETUNREACH}, portUnreachable},
		{&net.OpError{Op: "dial", Err: syscall.EPERM}, portUnreachable}, // the local firewall refused to send
		{context.DeadlineExceeded, portFiltered},
		{&net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, portUntested},
		{errors.New("something else"), portUntested},
	}
	for _, c := range cases {
		f := &firewallCheck{cfg: &FirewallCheck{ConnectTimeout: 1e9}, dial: func(context.Context, string) (net.Conn, error) { return nil, c.err }}
		got, _ := f.probe(context.Background(), "x:1")
		assert.Equal(t, c.want, got, c.err.Error())
		assert.Equal(t, c.want == portRefused || c.want == portFiltered || c.want == portUnreachable, got.closed())
	}
}
