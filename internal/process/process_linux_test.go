package process

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(c))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		switch mf.GetType() {
		case dto.MetricType_COUNTER:
			out[mf.GetName()] = m.GetCounter().GetValue()
		default:
			out[mf.GetName()] = m.GetGauge().GetValue()
		}
	}
	return out
}

// The collector's figures are client_golang's for the same process, less
// the network namespace's counters.
func TestCollectorMatchesClientGolang(t *testing.T) {
	// Some CPU time first, so that a CPU figure of 0 would be wrong: spin
	// until the kernel has counted 50 ms of it (/proc counts in 10 ms
	// ticks), not for 50 ms of wall time, which a loaded machine may give
	// to other processes.
	for cpuTime(t) < 50*time.Millisecond {
		for start := time.Now(); time.Since(start) < 5*time.Millisecond; {
		}
	}
	want := gather(t, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	got := gather(t, NewCollector())
	delete(want, "process_network_receive_bytes_total")
	delete(want, "process_network_transmit_bytes_total")
	require.ElementsMatch(t, keys(want), keys(got))
	for _, tc := range []struct {
		name  string
		delta float64
	}{
		{"process_start_time_seconds", 0.01},
		{"process_max_fds", 0},
		{"process_virtual_memory_max_bytes", 0},
		{"process_open_fds", 3},
		{"process_cpu_seconds_total", 1},
		{"process_resident_memory_bytes", 64 << 20},
		{"process_virtual_memory_bytes", 512 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Positive(t, got[tc.name])
			assert.InDelta(t, want[tc.name], got[tc.name], tc.delta)
		})
	}
}

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func keys(m map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestReadStat(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		cpu, vsize    float64
		rss           float64
		err           string
	}{
		{
			name:    "plain",
			content: "42 (golive_exporter) S 1 42 42 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 9 0 100 1926266880 6411 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
			cpu:     3, vsize: 1926266880, rss: 6411,
		},
		{
			name:    "command with spaces and parentheses",
			content: "42 (a) b (c) S 1 42 42 0 -1 4194560 1000 0 0 0 7 3 0 0 20 0 9 0 100 4096 2 18446744073709551615\n",
			cpu:     0.1, vsize: 4096, rss: 2,
		},
		{name: "cut short", content: "42 (x) S 1 42\n", err: "fields"},
		{name: "not a number", content: "42 (x) S 1 42 42 0 -1 4194560 1000 0 0 0 ab 3 0 0 20 0 9 0 100 4096 2 0\n", err: "field 14"},
		{name: "no command", content: "42 x S\n", err: "no command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "stat")
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			cpu, vsize, rss, err := readStat(path)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.InDelta(t, tc.cpu, cpu, 1e-9)
			assert.Equal(t, tc.vsize, vsize)
			assert.Equal(t, tc.rss, rss)
		})
	}
}

func TestCountFDs(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 600; i++ {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "f"+string(rune('a'+i%26))+string(rune('a'+i/26))), nil, 0o600))
	}
	n, err := countFDs(dir)
	require.NoError(t, err)
	assert.Equal(t, 600, n)
	_, err = countFDs(filepath.Join(dir, "absent"))
	assert.Error(t, err)
}

// BenchmarkCollect prices one scrape's process metrics beside
// client_golang's collector.
func BenchmarkCollect(b *testing.B) {
	for _, bc := range []struct {
		name string
		c    prometheus.Collector
	}{{"ours", NewCollector()}, {"client_golang", collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}} {
		b.Run(bc.name, func(b *testing.B) {
			reg := prometheus.NewRegistry()
			reg.MustRegister(bc.c)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := reg.Gather(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
