package database

import (
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The embedded default configuration (a first run without --config.file)
// checks the local PostgreSQL and Redis: on this host, which runs both on
// their standard ports, they show up with their health figures; on a host
// that lacks them (the same configuration pointed at closed ports) they show
// down with the reason.
func TestEmbeddedDefaultDatabaseAndCache(t *testing.T) {
	needServer(t)
	yml := string(config.DefaultYAML())
	require.Contains(t, yml, "127.0.0.1:5432")
	require.Contains(t, yml, "127.0.0.1:6379")

	out := collectortest.RunConfig(t, yml, 30*time.Second)
	pg, rd := out.Result(t, "postgres"), out.Result(t, "redis")
	assert.True(t, pg.Success(), "%s: %s", pg.Reason, pg.Message)
	assert.True(t, rd.Success(), "%s: %s", rd.Reason, rd.Message)
	for _, want := range []string{
		`golive_postgres_up{check="postgres"} 1`,
		`golive_postgres_probe_p95_seconds{check="postgres"}`,
		`golive_postgres_server_version_num{check="postgres"}`,
		`golive_postgres_connections_ratio{check="postgres"}`,
		`golive_postgres_database_size_bytes{check="postgres"}`,
		`golive_postgres_checksum_failures_total{check="postgres"}`,
		`golive_redis_up{check="redis"} 1`,
		`golive_redis_ping_duration_seconds{check="redis"}`,
		`golive_redis_info{check="redis",role="master"`,
		`golive_redis_memory_used_bytes{check="redis"}`,
		`golive_redis_maxmemory_policy_info{check="redis"`,
	} {
		assert.True(t, out.HasLine(want), "missing %s in\n%s", want, out.Metrics)
	}

	lacking := strings.NewReplacer("127.0.0.1:5432", testutil.FreeAddr(t), "127.0.0.1:6379", testutil.FreeAddr(t)).Replace(yml)
	out = collectortest.RunConfig(t, lacking, 30*time.Second)
	for _, name := range []string{"postgres", "redis"} {
		res := out.Result(t, name)
		assert.False(t, res.Success(), name)
		assert.Equal(t, collector.ReasonConnRefused, res.Reason, "%s: %s", name, res.Message)
		assert.Contains(t, res.Message, "connection refused", name)
	}
	assert.True(t, out.HasLine(`golive_postgres_up{check="postgres"} 0`), out.Metrics)
	assert.True(t, out.HasLine(`golive_redis_up{check="redis"} 0`), out.Metrics)
	assert.True(t, out.HasLine(`golive_check_failure_reason{check="postgres",kind="postgres",reason="connection_refused"} 1`), out.Metrics)
}
