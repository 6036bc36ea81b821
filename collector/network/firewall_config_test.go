package network

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/config"
)

func TestFirewallConfig(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load([]byte(`checks:
  - name: fw
    firewall:
      host: sms.example.edu
      open: [443, "8080", "lb.example.edu:80"]
      closed: [5432, 6379, "[::1]:9000"]
`), "t.yml")
	require.NoError(t, err)
	fw := cfg.Checks[0].Spec().(*FirewallCheck)
	assert.Equal(t, []string{"sms.example.edu:443", "sms.example.edu:8080", "lb.example.edu:80"}, fw.OpenAddresses())
	assert.Equal(t, []string{"sms.example.edu:5432", "sms.example.edu:6379", "[::1]:9000"}, fw.ClosedAddresses())
	assert.Equal(t, DefaultFirewallConnectTimeout, time.Duration(fw.ConnectTimeout))

	// A check due every 2s gets half its timeout to wait for an answer.
	cfg, err = config.Load([]byte("checks:\n  - name: fw\n    interval: 2s\n    firewall: {closed: [\"127.0.0.1:5432\"]}\n"), "t.yml")
	require.NoError(t, err)
	assert.Equal(t, time.Second, time.Duration(cfg.Checks[0].Spec().(*FirewallCheck).ConnectTimeout))
}

func TestFirewallConfigRefused(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, yaml, want string }{
		{"nothing to test", "firewall: {host: x}", "t.yml:3: checks[0].firewall: no ports to test; list ports that must answer under open: and ports that must be closed under closed:"},
		{"bare port without host", "firewall: {closed: [5432]}", `t.yml:3: checks[0].firewall.closed[0]: "5432" is a bare port and no host: is set; write host:port (e.g. db.example.com:5432) or set host:`},
		{"port out of range", "firewall: {host: x, open: [70000]}", `t.yml:3: checks[0].firewall.open[0]: port "70000" is not a number from 1 to 65535`},
		{"not an address", "firewall: {open: [\"x:y:z\"]}", `t.yml:3: checks[0].firewall.open[0]: "x:y:z" is not a port or host:port`},
		{"both open and closed", "firewall: {host: x, open: [5432], closed: [\"x:5432\"]}", `t.yml:3: checks[0].firewall.closed[0]: x:5432 is also listed under open; a port is either open or closed`},
		{"twice", "firewall: {host: x, closed: [5432, 5432]}", `t.yml:3: checks[0].firewall.closed[1]: x:5432 is listed twice`},
		{"timeout too long", "timeout: 2s\n    firewall: {host: x, closed: [1], connect_timeout: 3s}", "checks[0].firewall.connect_timeout: connect_timeout 3s is not shorter than the check's timeout 2s; every port is tried at once, each for connect_timeout, so write e.g. connect_timeout: 1s"},
		{"negative timeout", "firewall: {host: x, closed: [1], connect_timeout: -1s}", `checks[0].firewall.connect_timeout`},
		{"bad host", "firewall: {host: \"a b\", closed: [1]}", `t.yml:3: checks[0].firewall.host: "a b" is not a host name or IP address`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Load([]byte("checks:\n  - name: fw\n    "+c.yaml+"\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestFirewallConfigBounded(t *testing.T) {
	t.Parallel()
	y := "checks:\n  - name: fw\n    firewall:\n      host: x\n      closed: ["
	for i := 1; i <= MaxFirewallPorts+1; i++ {
		if i > 1 {
			y += ", "
		}
		y += strconv.Itoa(i)
	}
	_, err := config.Load([]byte(y+"]\n"), "t.yml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "checks[0].firewall: 101 ports; at most 100 per check (each is a series)")
}
