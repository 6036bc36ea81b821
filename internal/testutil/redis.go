package testutil

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// StartRedis runs a redis-server of the test's own on a free loopback port
// until the test ends or stop is called, and returns its address once the
// port accepts connections. args gives all of the server's arguments for
// that port (a configuration file first, if any); command builds the
// command that runs it (nil: exec.Command), to run it under limits, for
// one. A redis-server that is not on PATH ends the test through
// MissingTool.
func StartRedis(t testing.TB, command func(bin string, args ...string) *exec.Cmd, args func(port int) []string) (addr string, stop func()) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		MissingTool(t, "redis-server is not on PATH: %v", err)
	}
	if command == nil {
		command = exec.Command
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	cmd := command(bin, args(port)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(stop)
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, stop
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	t.Fatalf("redis-server did not start: %s", out.String())
	return "", nil
}
