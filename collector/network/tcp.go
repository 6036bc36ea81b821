package network

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

var (
	tcpConnectDesc = collector.NewDesc("golive_tcp_connect_success",
		"Whether a TCP connection to the address succeeded (1) or not (0).")
	tcpConnectSecondsDesc = collector.NewDesc("golive_tcp_connect_duration_seconds",
		"How long the TCP connection took to open.")
)

type tcpCheck struct {
	cfg *TCPCheck
}

func newTCP(c *config.Check, _ collector.Env) (collector.Check, error) {
	return &tcpCheck{cfg: c.Spec().(*TCPCheck)}, nil
}

// Run connects once. With expect: closed, a refused or timed-out connection
// is the passing outcome.
func (t *tcpCheck) Run(ctx context.Context, r *collector.Report) error {
	start := time.Now()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", t.cfg.Address)
	elapsed := time.Since(start)
	open := err == nil
	if open {
		conn.Close()
		r.Gauge(tcpConnectSecondsDesc, elapsed.Seconds())
	}
	r.Bool(tcpConnectDesc, open)
	if t.cfg.Expect == "closed" {
		observed := "closed"
		if open {
			observed = "open"
		}
		r.Assert("port closed", !open, fmt.Sprintf("%s is %s", t.cfg.Address, observed), "closed from where the exporter runs")
		return nil
	}
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", t.cfg.Address, err)
	}
	return nil
}
