package testutil

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// CreateBlocks turns the OpenMetrics file at path (backfilled samples with
// timestamps) into TSDB blocks in dataDir with promtool, so that a real
// Prometheus started on dataDir (StartPrometheus) answers queries over
// days of history at once.
func CreateBlocks(t testing.TB, promtool, path, dataDir string) {
	t.Helper()
	out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h", path, dataDir).CombinedOutput()
	require.NoError(t, err, "promtool: %s", out)
}

// StartPrometheus runs the prometheus binary bin on the TSDB in dataDir
// (scraping nothing) on a free loopback port until the test ends, and
// returns its URL once /-/ready answers. args are extra flags
// (--storage.tsdb.retention.time, for one). A failed test logs the end of
// Prometheus' log.
func StartPrometheus(t testing.TB, bin, dataDir string, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1m\n"), 0o600))
	addr := FreeAddr(t)
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	require.NoError(t, err)
	cmd := exec.Command(bin, append([]string{"--config.file=" + cfg, "--storage.tsdb.path=" + dataDir, "--web.listen-address=" + addr}, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
			t.Logf("prometheus log:\n%s", b[max(0, len(b)-3000):])
		}
	})
	url := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		select {
		case <-done:
			t.Fatalf("prometheus exited")
		default:
		}
		require.True(t, time.Now().Before(deadline), "prometheus not ready within 60s")
		time.Sleep(200 * time.Millisecond)
	}
}
