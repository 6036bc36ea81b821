package cache

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func needServer(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a Redis server (skipped with -short)")
	}
}

// startRedis starts a redis-server of the test's own on a free loopback
// port, with the given extra arguments, and stops it when the test ends.
func startRedis(t testing.TB, args ...string) string {
	t.Helper()
	return startRedisWith(t, func(port int) []string {
		return append([]string{"--port", fmt.Sprint(port)}, args...)
	})
}

// startRedisWith starts a redis-server with the arguments portArgs gives for
// a free port.
func startRedisWith(t testing.TB, portArgs func(port int) []string) string {
	t.Helper()
	return startRedisVia(t, exec.Command, portArgs)
}

// startRedisVia starts a redis-server with the command that command builds
// (to run it under limits, for one), arguments from portArgs.
func startRedisVia(t testing.TB, command func(bin string, args ...string) *exec.Cmd, portArgs func(port int) []string) string {
	t.Helper()
	needServer(t)
	addr, _ := testutil.StartRedis(t, command, func(port int) []string {
		return append([]string{"--bind", "127.0.0.1", "--dir", t.TempDir(), "--save", "", "--appendonly", "no"}, portArgs(port)...)
	})
	return addr
}

// runConfig runs the configuration's checks once (30 s at most).
func runConfig(t testing.TB, yml string) collectortest.Run {
	t.Helper()
	return collectortest.RunConfig(t, yml, 30*time.Second)
}

// Against the machine's shared Redis: our own key prefix, cleaned up.
func TestRedisSharedServer(t *testing.T) {
	needServer(t)
	ctx := context.Background()
	cl := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: 0, Protocol: 2})
	defer cl.Close()
	if err := cl.Ping(ctx).Err(); err != nil {
		t.Fatalf("the development Redis at 127.0.0.1:6379 is not running: %v", err)
	}
	prefix := testutil.RandomName("golivetest:") + ":"
	for i := range 25 {
		require.NoError(t, cl.Set(ctx, fmt.Sprintf("%swarm:%d", prefix, i), i, time.Hour).Err())
	}
	t.Cleanup(func() {
		iter := cl.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			cl.Del(ctx, iter.Val())
		}
	})
	yml := fmt.Sprintf(`redis_targets:
  r: {address: "127.0.0.1:6379"}
checks:
  - name: warm
    redis:
      target: r
      patterns:
        - {pattern: "%[1]swarm:*", min_keys: 25}
  - name: cold
    redis:
      target: r
      patterns:
        - {pattern: "%[1]smissing:*", min_keys: 1}
`, prefix)
	out := runConfig(t, yml)
	assert.True(t, out.Result(t, "warm").Success(), out.Result(t, "warm").Message)
	cold := out.Result(t, "cold")
	assert.False(t, cold.Success())
	assert.Equal(t, collector.ReasonConditionFailed, cold.Reason)
	assert.Contains(t, cold.Message, "observed 0, expected >= 1")
	for _, want := range []string{
		`golive_redis_up{check="warm"} 1`,
		`golive_redis_ping_duration_seconds{check="warm"}`,
		`golive_redis_info{check="warm",role="master",version="`,
		`golive_redis_memory_used_bytes{check="warm"}`,
		`golive_redis_memory_max_bytes{check="warm"}`,
		`golive_redis_maxmemory_policy_info{check="warm",policy="`,
		`golive_redis_keyspace_hits_total{check="warm"}`,
		`golive_redis_keyspace_misses_total{check="warm"}`,
		`golive_redis_evicted_keys_total{check="warm"}`,
		`golive_redis_expired_keys_total{check="warm"}`,
		`golive_redis_clients{check="warm",state="connected"}`,
		`golive_redis_clients{check="warm",state="blocked"}`,
		`golive_redis_rdb_last_bgsave_success{check="warm"} 1`,
		`golive_redis_aof_enabled{check="warm"}`,
		`golive_redis_connected_replicas{check="warm"}`,
		`golive_redis_db_keys{check="warm"}`,
		`golive_redis_keyspace_keys{check="warm",db="db0"}`,
		`golive_redis_config_available{check="warm"} 1`,
		fmt.Sprintf(`golive_redis_pattern_keys{check="warm",pattern="%swarm:*"} 25`, prefix),
		fmt.Sprintf(`golive_redis_pattern_scan_complete{check="warm",pattern="%swarm:*"} 1`, prefix),
	} {
		assert.True(t, out.HasLine(want), "missing %s in\n%s", want, out.Metrics)
	}
}

// Settings expectations against a Redis of the test's own.
func TestRedisExpectations(t *testing.T) {
	bounded := startRedis(t, "--maxmemory", "10mb", "--maxmemory-policy", "allkeys-lru", "--appendonly", "yes")
	unbounded := startRedis(t)
	ctx := context.Background()
	cl := redis.NewClient(&redis.Options{Addr: bounded, Protocol: 2})
	defer cl.Close()
	for i := range 50 {
		require.NoError(t, cl.Set(ctx, fmt.Sprintf("course:%d", i), "x", 0).Err())
	}
	for i := range 9 {
		require.NoError(t, cl.Get(ctx, fmt.Sprintf("course:%d", i)).Err())
	}
	require.ErrorIs(t, cl.Get(ctx, "absent").Err(), redis.Nil) // 9 hits, 1 miss
	yml := fmt.Sprintf(`redis_targets:
  bounded: {address: "%s"}
  unbounded: {address: "%s"}
checks:
  - name: good
    redis: {target: bounded, require_maxmemory: true, maxmemory_policy: allkeys-lru, require_persistence: true, min_hit_ratio: 0.85, expect_role: master, min_keys: 50}
  - name: no_maxmemory
    redis: {target: unbounded, require_maxmemory: true}
  - name: wrong_policy
    redis: {target: unbounded, maxmemory_policy: allkeys-lru}
  - name: no_persistence
    redis: {target: unbounded, require_persistence: true}
  - name: hit_ratio_low
    redis: {target: bounded, min_hit_ratio: 0.95}
  - name: wrong_role
    redis: {target: bounded, expect_role: replica}
  - name: memory_used
    redis: {target: bounded, max_used_memory_ratio: 0.01}
  - name: scan_capped
    redis:
      target: bounded
      patterns: [{pattern: "course:4*", min_keys: 10, max_scan: 10}]
`, bounded, unbounded)
	out := runConfig(t, yml)
	good := out.Result(t, "good")
	assert.True(t, good.Success(), good.Message)
	assert.Equal(t, collector.StatusPass, good.Status, good.Message)
	assert.True(t, out.HasLine(`golive_redis_hit_ratio{check="good"} 0.9`), out.Metrics)
	assert.True(t, out.HasLine(`golive_redis_memory_max_bytes{check="good"} 1.048576e+07`), out.Metrics)
	assert.True(t, out.HasLine(`golive_redis_aof_last_write_success{check="good"} 1`), out.Metrics)
	for name, want := range map[string]string{
		"no_maxmemory":   "maxmemory set",
		"wrong_policy":   "eviction policy: observed noeviction, expected allkeys-lru",
		"no_persistence": "persistence on: observed RDB and AOF off",
		"hit_ratio_low":  "hit ratio",
		"wrong_role":     "role: observed master, expected replica",
		"scan_capped":    "scan stopped after visiting 10 keys",
		"memory_used":    "memory used: observed",
	} {
		res := out.Result(t, name)
		assert.False(t, res.Success(), name)
		assert.Equal(t, collector.ReasonConditionFailed, res.Reason, name)
		assert.Contains(t, res.Message, want, name)
	}
	assert.True(t, out.HasLine(`golive_redis_pattern_scan_complete{check="scan_capped",pattern="course:4*"} 0`), out.Metrics)
}

// Persistence failing: the data directory removed under a running Redis,
// BGSAVE and BGREWRITEAOF fail (rdb_last_bgsave_status and
// aof_last_bgrewrite_status err) and the check fails on exactly those two
// conditions, while persistence is still configured on.
func TestRedisPersistenceFailure(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.Mkdir(data, 0o700))
	// A later --dir wins over startRedis's own.
	addr := startRedis(t, "--dir", data, "--appendonly", "yes")
	ctx := context.Background()
	cl := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
	defer cl.Close()
	require.NoError(t, cl.Set(ctx, "course:1", "x", 0).Err())
	persistence := func() map[string]string {
		raw, err := cl.Info(ctx, "persistence").Result()
		require.NoError(t, err)
		return ParseInfo(raw)
	}
	yml := fmt.Sprintf("redis_targets:\n  r: {address: %q}\nchecks:\n  - name: persist\n    redis: {target: r, require_persistence: true}\n", addr)
	out := runConfig(t, yml)
	require.True(t, out.Result(t, "persist").Success(), out.Result(t, "persist").Message)
	assert.True(t, out.HasLine(`golive_redis_aof_last_rewrite_success{check="persist"} 1`), out.Metrics)

	require.NoError(t, os.RemoveAll(data))
	require.NoError(t, cl.BgSave(ctx).Err())
	require.NoError(t, cl.BgRewriteAOF(ctx).Err())
	var info map[string]string
	for range 200 {
		info = persistence()
		if info["rdb_last_bgsave_status"] == "err" && info["aof_last_bgrewrite_status"] == "err" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.Equal(t, "err", info["rdb_last_bgsave_status"], "BGSAVE into a removed directory did not fail")
	require.Equal(t, "err", info["aof_last_bgrewrite_status"], "BGREWRITEAOF into a removed directory did not fail")

	out = runConfig(t, yml)
	res := out.Result(t, "persist")
	assert.False(t, res.Success())
	assert.Equal(t, collector.ReasonConditionFailed, res.Reason, res.Message)
	assert.Contains(t, res.Message, "last RDB save: observed err, expected ok")
	failedConds := map[string]string{}
	for _, c := range res.Conditions {
		if !c.OK {
			failedConds[c.Name] = c.Observed
		}
	}
	assert.Equal(t, map[string]string{"last RDB save": "err", "last AOF rewrite": "err"}, failedConds)
	for _, want := range []string{
		`golive_redis_rdb_last_bgsave_success{check="persist"} 0`,
		`golive_redis_aof_last_rewrite_success{check="persist"} 0`,
		`golive_redis_aof_enabled{check="persist"} 1`,
	} {
		assert.True(t, out.HasLine(want), "missing %s in\n%s", want, out.Metrics)
	}
}

// An AOF that cannot be written (the file size limit reached, as a full
// disk would): Redis answers PING with MISCONF and refuses writes. The check
// still reads INFO and fails on the AOF write and on the refused writes,
// with the server reported up.
func TestRedisAOFWriteFailure(t *testing.T) {
	for _, tool := range []string{"sh", "prlimit"} {
		if _, err := exec.LookPath(tool); err != nil {
			testutil.MissingTool(t, "%s is not on PATH: %v", tool, err)
		}
	}
	// A write past RLIMIT_FSIZE fails with EFBIG, and SIGXFSZ, which the
	// shell ignores for redis-server, would otherwise kill it.
	limited := func(bin string, args ...string) *exec.Cmd {
		return exec.Command("sh", append([]string{"-c", `trap "" XFSZ; exec prlimit --fsize=400000 "$@"`, "sh", bin}, args...)...)
	}
	addr := startRedisVia(t, limited, func(port int) []string {
		return []string{"--port", fmt.Sprint(port), "--appendonly", "yes"}
	})
	ctx := context.Background()
	cl := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
	defer cl.Close()
	yml := fmt.Sprintf("redis_targets:\n  r: {address: %q}\nchecks:\n  - name: aof\n    redis: {target: r, require_persistence: true}\n", addr)
	out := runConfig(t, yml)
	require.True(t, out.Result(t, "aof").Success(), out.Result(t, "aof").Message)
	assert.True(t, out.HasLine(`golive_redis_aof_last_write_success{check="aof"} 1`), out.Metrics)

	big := strings.Repeat("x", 100_000)
	for i := 0; i < 20; i++ {
		if err := cl.Set(ctx, fmt.Sprintf("course:%d", i), big, 0).Err(); err != nil {
			break // MISCONF: the AOF write failed
		}
	}
	require.ErrorContains(t, cl.Ping(ctx).Err(), "MISCONF", "the AOF never failed to write")

	out = runConfig(t, yml)
	res := out.Result(t, "aof")
	assert.False(t, res.Success())
	assert.Equal(t, collector.ReasonConditionFailed, res.Reason, res.Message)
	failedConds := map[string]string{}
	for _, c := range res.Conditions {
		if !c.OK {
			failedConds[c.Name] = c.Observed
		}
	}
	assert.Equal(t, "err", failedConds["last AOF write"], res.Conditions)
	assert.Contains(t, failedConds["writes accepted"], "MISCONF", res.Conditions)
	for _, want := range []string{
		`golive_redis_up{check="aof"} 1`,
		`golive_redis_aof_last_write_success{check="aof"} 0`,
	} {
		assert.True(t, out.HasLine(want), "missing %s in\n%s", want, out.Metrics)
	}
}

// The target's db number selects the database that DBSIZE and the pattern
// SCAN count; INFO keyspace gives the keys of every database.
func TestRedisDBNumber(t *testing.T) {
	addr := startRedis(t)
	ctx := context.Background()
	cl := redis.NewClient(&redis.Options{Addr: addr, DB: 3, Protocol: 2})
	defer cl.Close()
	for i := range 7 {
		require.NoError(t, cl.Set(ctx, fmt.Sprintf("sms:course:%d", i), i, 0).Err())
	}
	out := runConfig(t, fmt.Sprintf(`redis_targets:
  db3: {address: %[1]q, db: 3}
  db0: {address: %[1]q}
checks:
  - name: db3
    redis: {target: db3, min_keys: 7, patterns: [{pattern: "sms:course:*", min_keys: 7}]}
  - name: db0
    redis: {target: db0, patterns: [{pattern: "sms:course:*", min_keys: 7}]}
  - name: db0_dbsize
    redis: {target: db0, min_keys: 1}
`, addr))
	empty := out.Result(t, "db0_dbsize")
	assert.False(t, empty.Success())
	assert.Contains(t, empty.Message, "keys in db: observed 0, expected >= 1")
	assert.True(t, out.Result(t, "db3").Success(), out.Result(t, "db3").Message)
	db0 := out.Result(t, "db0")
	assert.False(t, db0.Success())
	assert.Contains(t, db0.Message, "keys matching sms:course:*: observed 0, expected >= 7")
	for _, want := range []string{
		`golive_redis_db_keys{check="db3"} 7`,
		`golive_redis_db_keys{check="db0"} 0`,
		`golive_redis_pattern_keys{check="db3",pattern="sms:course:*"} 7`,
		`golive_redis_keyspace_keys{check="db0",db="db3"} 7`,
	} {
		assert.True(t, out.HasLine(want), "missing %s in\n%s", want, out.Metrics)
	}
}

// Managed Redis often disables CONFIG: the check falls back to INFO and
// says what it cannot see.
func TestRedisConfigDisabled(t *testing.T) {
	addr := startRedis(t, "--rename-command", "CONFIG", "", "--maxmemory", "5mb", "--maxmemory-policy", "volatile-lru")
	yml := fmt.Sprintf(`redis_targets:
  managed: {address: "%s"}
checks:
  - name: managed
    redis: {target: managed, require_maxmemory: true, maxmemory_policy: volatile-lru}
  - name: persistence
    redis: {target: managed, require_persistence: true}
`, addr)
	out := runConfig(t, yml)
	res := out.Result(t, "managed")
	assert.True(t, res.Success(), res.Message)
	for _, want := range []string{
		`golive_redis_config_available{check="managed"} 0`,
		`golive_redis_figure_unavailable{check="managed",figure="config"} 1`,
		`golive_redis_figure_unavailable{check="managed",figure="rdb_schedule"} 1`,
		`golive_redis_memory_max_bytes{check="managed"} 5.24288e+06`,
		`golive_redis_maxmemory_policy_info{check="managed",policy="volatile-lru"} 1`,
	} {
		assert.True(t, out.HasLine(want), "missing %s in\n%s", want, out.Metrics)
	}
	p := out.Result(t, "persistence")
	assert.Equal(t, collector.StatusWarn, p.Status, p.Message)
	assert.Contains(t, p.Message, "RDB schedule unavailable without CONFIG")
}

func TestRedisReplica(t *testing.T) {
	master := startRedis(t)
	host, port, _ := net.SplitHostPort(master)
	replica := startRedis(t, "--replicaof", host, port)
	ctx := context.Background()
	cl := redis.NewClient(&redis.Options{Addr: replica, Protocol: 2})
	defer cl.Close()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		info, err := cl.Info(ctx, "replication").Result()
		if err == nil && strings.Contains(info, "master_link_status:up") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A replica whose master is gone.
	orphan := startRedis(t, "--replicaof", "127.0.0.1", strings.Split(testutil.FreeAddr(t), ":")[1])
	out := runConfig(t, fmt.Sprintf(`redis_targets:
  replica: {address: "%s"}
  orphan: {address: "%s"}
checks:
  - name: replica
    redis: {target: replica, expect_role: replica}
  - name: orphan
    redis: {target: orphan}
`, replica, orphan))
	o := out.Result(t, "orphan")
	assert.False(t, o.Success())
	assert.Contains(t, o.Message, "replication link: observed master_link_status=down")
	assert.True(t, out.HasLine(`golive_redis_replication_link_up{check="orphan"} 0`), out.Metrics)
	res := out.Result(t, "replica")
	assert.True(t, res.Success(), res.Message)
	assert.True(t, out.HasLine(`golive_redis_replication_link_up{check="replica"} 1`), out.Metrics)
}

// ACL user and password file or password_ref; a wrong password (here
// through the deprecated password_env, still read) fails with reason auth
// and the password never shows in errors, metrics, logs or the config.
func TestRedisAuthAndSecrets(t *testing.T) {
	const sentinel = "S3ntinel-redis-7d1e"
	addr := startRedis(t, "--user", "golive", "on", ">"+sentinel, "~*", "&*", "+@all", "--user", "default", "off")
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	require.NoError(t, os.WriteFile(good, []byte(sentinel+"\n"), 0o600))
	t.Setenv("GOLIVE_TEST_REDIS_PW", sentinel+"-wrong")
	t.Setenv("GOLIVE_TEST_REDIS_GOOD_PW", sentinel)
	yml := fmt.Sprintf(`redis_targets:
  good: {address: "%[1]s", username: golive, password_file: %[2]s}
  ref: {address: "%[1]s", username: golive, password_ref: GOLIVE_TEST_REDIS_GOOD_PW}
  wrong: {address: "%[1]s", username: golive, password_env: GOLIVE_TEST_REDIS_PW}
  wrongref: {address: "%[1]s", username: golive, password_ref: GOLIVE_TEST_REDIS_PW}
  inline: {address: "%[1]s", username: nobody, password: %[3]s}
checks:
  - {name: good, redis: {target: good}}
  - {name: ref, redis: {target: ref}}
  - {name: wrong, redis: {target: wrong}}
  - {name: wrongref, redis: {target: wrongref}}
  - {name: inline, redis: {target: inline}}
`, addr, good, sentinel)
	out := runConfig(t, yml)
	assert.True(t, out.Result(t, "good").Success(), out.Result(t, "good").Message)
	assert.True(t, out.Result(t, "ref").Success(), out.Result(t, "ref").Message)
	for _, name := range []string{"wrong", "wrongref", "inline"} {
		res := out.Result(t, name)
		assert.False(t, res.Success())
		assert.Equal(t, collector.ReasonAuth, res.Reason, res.Message)
		assert.NotContains(t, res.Message, sentinel)
	}
	assert.NotContains(t, out.Metrics, sentinel)
	assert.NotContains(t, out.Logs, sentinel)
	assert.NotContains(t, out.Config, sentinel)
}

// Faults: refused, silent, and a Redis that hangs half-way through a reply.
// Each fails within its timeout with a clear reason; the others are
// unaffected.
func TestRedisFaults(t *testing.T) {
	needServer(t)
	refused := testutil.FreeAddr(t)
	hang := testutil.ServeTCP(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		_, _ = r.ReadString('\n')
		_, _ = c.Write([]byte("+PO")) // half a reply, then nothing
	})
	silent := testutil.ServeTCP(t, func(net.Conn) {})
	yml := fmt.Sprintf(`redis_targets:
  ok: {address: "127.0.0.1:6379"}
  refused: {address: "%s"}
  hang: {address: "%s"}
  silent: {address: "%s"}
checks:
  - {name: ok, redis: {target: ok}}
  - {name: refused, redis: {target: refused}}
  - {name: hang, timeout: 1s, redis: {target: hang}}
  - {name: silent, timeout: 1s, redis: {target: silent}}
`, refused, hang, silent)
	out := runConfig(t, yml)
	assert.True(t, out.Result(t, "ok").Success(), out.Result(t, "ok").Message)
	for name, reason := range map[string]collector.Reason{
		"refused": collector.ReasonConnRefused, "hang": collector.ReasonTimeout, "silent": collector.ReasonTimeout,
	} {
		res := out.Result(t, name)
		assert.False(t, res.Success(), name)
		assert.Equal(t, reason, res.Reason, "%s: %s", name, res.Message)
		assert.True(t, out.HasLine(fmt.Sprintf(`golive_redis_up{check="%s"} 0`, name)), out.Metrics)
	}
}

func TestParseInfo(t *testing.T) {
	b, err := os.ReadFile("testdata/info-7.0.txt")
	require.NoError(t, err)
	info := ParseInfo(string(b))
	assert.Equal(t, "7.0.15", info["redis_version"])
	assert.Equal(t, "master", info["role"])
	assert.Contains(t, info, "maxmemory_policy")
	n, ok := keyspaceKeys("keys=12,expires=3,avg_ttl=0")
	assert.True(t, ok)
	assert.Equal(t, int64(12), n)
	_, ok = keyspaceKeys("expires=3")
	assert.False(t, ok)
}

func FuzzParseInfo(f *testing.F) {
	if b, err := os.ReadFile("testdata/info-7.0.txt"); err == nil {
		f.Add(string(b))
	}
	f.Add("# Keyspace\r\ndb0:keys=1,expires=0\r\n:::\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		info := ParseInfo(s)
		for k := range info {
			if strings.HasPrefix(k, "#") {
				t.Fatalf("section header %q parsed as a key", k)
			}
		}
		for db := range 16 {
			if v, ok := info[fmt.Sprintf("db%d", db)]; ok {
				keyspaceKeys(v)
			}
		}
	})
}

// TLS: with the CA (a file, or through ca_ref as the HTTP kinds read it)
// the check connects; without it, or with a server_name the certificate
// does not have, reason tls.
func TestRedisTLS(t *testing.T) {
	needServer(t)
	pki := testutil.WritePKI(t, t.TempDir(), "golive")
	addr := startRedisWith(t, func(port int) []string {
		return []string{"--port", "0", "--tls-port", fmt.Sprint(port),
			"--tls-cert-file", pki.ServerCert, "--tls-key-file", pki.ServerKey,
			"--tls-ca-cert-file", pki.CA, "--tls-auth-clients", "no"}
	})
	yml := fmt.Sprintf(`redis_targets:
  tls: {address: "%[1]s", tls: {ca_file: %[2]s}}
  ref: {address: "%[1]s", tls: {ca_ref: GOLIVE_TEST_REDIS_CA, min_version: TLS13}}
  untrusted: {address: "%[1]s", tls: {}}
  wrongname: {address: "%[1]s", tls: {ca_file: %[2]s, server_name: wrong.example.org}}
  plain: {address: "%[1]s"}
checks:
  - {name: tls, redis: {target: tls}}
  - {name: ref, redis: {target: ref}}
  - {name: untrusted, redis: {target: untrusted}}
  - {name: wrongname, redis: {target: wrongname}}
  - {name: plain, timeout: 2s, redis: {target: plain}}
`, addr, pki.CA)
	ca, err := os.ReadFile(pki.CA)
	require.NoError(t, err)
	t.Setenv("GOLIVE_TEST_REDIS_CA", string(ca))
	out := runConfig(t, yml)
	assert.True(t, out.Result(t, "tls").Success(), out.Result(t, "tls").Message)
	assert.True(t, out.Result(t, "ref").Success(), out.Result(t, "ref").Message)
	for _, name := range []string{"untrusted", "wrongname"} {
		u := out.Result(t, name)
		assert.False(t, u.Success(), name)
		assert.Equal(t, collector.ReasonTLS, u.Reason, u.Message)
	}
	assert.False(t, out.Result(t, "plain").Success())
}

// A Redis that has all the clients it takes (maxclients) answers "ERR max
// number of clients reached" and closes: reason unavailable, as "too many
// clients" is in every kind. A real redis-server writes that line as soon
// as it accepts, so the client reads it or meets the closed socket first
// (network), whichever comes first; the stand-in here answers each of
// the client's commands with Redis' exact line, so the test always reads
// it.
func TestRedisTooManyClients(t *testing.T) {
	needServer(t)
	full := testutil.ServeTCP(t, func(c net.Conn) {
		buf := make([]byte, 512)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			_, _ = c.Write([]byte("-ERR max number of clients reached\r\n"))
		}
	})
	out := runConfig(t, fmt.Sprintf("redis_targets:\n  full: {address: %q}\nchecks:\n  - {name: full, redis: {target: full}}\n", full))
	res := out.Result(t, "full")
	assert.False(t, res.Success())
	assert.Equal(t, collector.ReasonUnavailable, res.Reason, res.Message)
	assert.Contains(t, res.Message, "max number of clients reached")
}

// The tls settings are prometheus/common's, applied as the HTTP kinds apply
// them: paths relative to the configuration file, the address's host as
// the name checked unless server_name is set, TLS 1.2 at least unless
// min_version says more.
func TestRedisTLSConfigApplied(t *testing.T) {
	dir := t.TempDir()
	pki := testutil.WritePKI(t, dir, "golive")
	cfg, err := config.Load([]byte(fmt.Sprintf(`redis_targets:
  a: {address: "cache.internal:6380", tls: {ca_file: %q, cert_file: %q, key_file: %q}}
  b: {address: "[::1]:6380", tls: {server_name: redis.example.org, min_version: TLS13, insecure_skip_verify: true}}
checks: [{name: a, redis: {target: a}}, {name: b, redis: {target: b}}]
`, filepath.Base(pki.CA), pki.ClientCert, pki.ClientKey)), filepath.Join(dir, "golive.yml"))
	require.NoError(t, err)
	a, err := tlsConfig(cfg, cfg.RedisTargets["a"])
	require.NoError(t, err)
	assert.Equal(t, "cache.internal", a.ServerName)
	assert.Equal(t, uint16(tls.VersionTLS12), a.MinVersion)
	assert.NotNil(t, a.RootCAs, "ca_file, relative to the configuration file")
	assert.False(t, a.InsecureSkipVerify)
	cert, err := a.GetClientCertificate(&tls.CertificateRequestInfo{})
	require.NoError(t, err)
	assert.NotEmpty(t, cert.Certificate, "cert_file and key_file give the client certificate")

	b, err := tlsConfig(cfg, cfg.RedisTargets["b"])
	require.NoError(t, err)
	assert.Equal(t, "redis.example.org", b.ServerName)
	assert.Equal(t, uint16(tls.VersionTLS13), b.MinVersion)
	assert.True(t, b.InsecureSkipVerify)

	_, err = config.Load([]byte(`redis_targets:
  a: {address: "127.0.0.1:6379", tls: {ca_file: a.pem, ca: "-----BEGIN CERTIFICATE-----"}}
checks: [{name: a, redis: {target: a}}]
`), filepath.Join(dir, "golive.yml"))
	assert.ErrorContains(t, err, "at most one of ca, ca_file & ca_ref")
}
