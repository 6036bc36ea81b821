package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

var (
	firewallPortOpenDesc = collector.NewDesc("golive_firewall_port_open",
		"Whether the port accepted a TCP connection from the exporter's host (1) or not (0: refused, unreachable or no answer); absent when it could not be tested (the host name does not resolve). expect is what the configuration requires.", "address", "expect")
	firewallUnexpectedDesc = collector.NewDesc("golive_firewall_ports_unexpected",
		"How many of the check's ports are not as the configuration requires (open ports that must be closed, closed ports that must answer, ports that could not be tested).")
)

type firewallCheck struct {
	cfg *FirewallCheck
	// dial opens a connection; tests replace it.
	dial func(ctx context.Context, address string) (net.Conn, error)
}

func newFirewall(c *config.Check, _ collector.Env) (collector.Check, error) {
	var d net.Dialer
	return &firewallCheck{cfg: c.Spec().(*FirewallCheck), dial: func(ctx context.Context, address string) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", address)
	}}, nil
}

// portState is what a connection attempt found.
type portState int

const (
	portOpen        portState = iota
	portRefused               // RST: nothing listens, or a REJECT rule
	portFiltered              // no answer within connect_timeout: a DROP rule
	portUnreachable           // ICMP unreachable or the local firewall refused to send
	portUntested              // the host name did not resolve, or another error
)

func (s portState) closed() bool {
	return s == portRefused || s == portFiltered || s == portUnreachable
}

type portResult struct {
	address, expect string
	state           portState
	err             error
}

// Run tries every port at once, each for connect_timeout.
func (f *firewallCheck) Run(ctx context.Context, r *collector.Report) error {
	var ports []portResult
	for _, a := range f.cfg.OpenAddresses() {
		ports = append(ports, portResult{address: a, expect: "open"})
	}
	for _, a := range f.cfg.ClosedAddresses() {
		ports = append(ports, portResult{address: a, expect: "closed"})
	}
	var wg sync.WaitGroup
	for i := range ports {
		wg.Add(1)
		go func(p *portResult) {
			defer wg.Done()
			p.state, p.err = f.probe(ctx, p.address)
		}(&ports[i])
	}
	wg.Wait()
	for _, p := range ports {
		if p.state == portUntested && ctx.Err() != nil && errors.Is(p.err, ctx.Err()) {
			// The check's own timeout ended the attempts: nothing can
			// be said about the ports still waiting.
			return fmt.Errorf("trying %d ports: %w", len(ports), ctx.Err())
		}
	}
	unexpected := 0
	for _, p := range ports {
		if p.state != portUntested {
			r.Bool(firewallPortOpenDesc, p.state == portOpen, p.address, p.expect)
		}
		ok := p.state == portOpen
		if p.expect == "closed" {
			ok = p.state.closed()
		}
		if !ok {
			unexpected++
		}
		r.Assert("port "+p.address+" "+p.expect, ok, f.describe(p), p.expect)
	}
	r.Gauge(firewallUnexpectedDesc, float64(unexpected))
	return nil
}

// probe opens one connection and says what became of it.
func (f *firewallCheck) probe(ctx context.Context, address string) (portState, error) {
	cctx, cancel := context.WithTimeout(ctx, time.Duration(f.cfg.ConnectTimeout))
	defer cancel()
	conn, err := f.dial(cctx, address)
	if err == nil {
		conn.Close()
		return portOpen, nil
	}
	var dnsErr *net.DNSError
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		return portUntested, ctx.Err()
	case errors.As(err, &dnsErr):
		return portUntested, err
	case errors.Is(err, syscall.ECONNREFUSED):
		return portRefused, err
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return portFiltered, err
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return portUnreachable, err
	}
	return portUntested, err
}

func (f *firewallCheck) describe(p portResult) string {
	switch p.state {
	case portOpen:
		return "open"
	case portRefused:
		return "closed (connection refused)"
	case portFiltered:
		return fmt.Sprintf("closed (filtered: no answer within %s)", f.cfg.ConnectTimeout)
	case portUnreachable:
		return "closed (unreachable: " + shorten(p.err.Error(), 80) + ")"
	}
	return "not tested: " + shorten(p.err.Error(), 120)
}
