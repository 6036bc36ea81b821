// Package cache holds the Redis check: health, memory and eviction
// settings, hit ratio, persistence, replication, and cache warmth counted by
// bounded SCAN (never KEYS).
package cache

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/httpclient"
	"github.com/prometheus/client_golang/prometheus"
	commoncfg "github.com/prometheus/common/config"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

var (
	upDesc         = collector.NewDesc("golive_redis_up", "Whether Redis answered PING (1) or not (0).")
	pingDesc       = collector.NewDesc("golive_redis_ping_duration_seconds", "Round-trip time of PING.")
	infoDesc       = collector.NewDesc("golive_redis_info", "The server's version and role (always 1).", "version", "role")
	uptimeDesc     = collector.NewDesc("golive_redis_uptime_seconds", "Seconds since the server started.")
	usedDesc       = collector.NewDesc("golive_redis_memory_used_bytes", "Memory Redis has allocated (used_memory).")
	maxmemDesc     = collector.NewDesc("golive_redis_memory_max_bytes", "The maxmemory setting (0: unbounded).")
	ratioDesc      = collector.NewDesc("golive_redis_memory_used_ratio", "used_memory as a share of maxmemory (absent when unbounded).")
	policyDesc     = collector.NewDesc("golive_redis_maxmemory_policy_info", "The eviction policy (always 1).", "policy")
	hitsDesc       = collector.NewCounterDesc("golive_redis_keyspace_hits_total", "Successful key lookups.")
	missesDesc     = collector.NewCounterDesc("golive_redis_keyspace_misses_total", "Failed key lookups.")
	hitRatioDesc   = collector.NewDesc("golive_redis_hit_ratio", "keyspace hits / (hits + misses) since the server started (absent before any lookup).")
	evictedDesc    = collector.NewCounterDesc("golive_redis_evicted_keys_total", "Keys evicted because of maxmemory.")
	expiredDesc    = collector.NewCounterDesc("golive_redis_expired_keys_total", "Keys removed because they expired.")
	clientsDesc    = collector.NewDesc("golive_redis_clients", "Clients by state (connected, blocked).", "state")
	bgsaveDesc     = collector.NewDesc("golive_redis_rdb_last_bgsave_success", "Whether the last RDB save succeeded (1).")
	lastSaveDesc   = collector.NewDesc("golive_redis_rdb_last_save_timestamp_seconds", "When the last successful RDB save finished.")
	rdbOnDesc      = collector.NewDesc("golive_redis_rdb_enabled", "Whether RDB snapshots are scheduled (CONFIG save non-empty).")
	aofOnDesc      = collector.NewDesc("golive_redis_aof_enabled", "Whether the append-only file is on.")
	aofWriteDesc   = collector.NewDesc("golive_redis_aof_last_write_success", "Whether the last AOF write succeeded (1).")
	aofRewriteDesc = collector.NewDesc("golive_redis_aof_last_rewrite_success", "Whether the last AOF rewrite (BGREWRITEAOF) succeeded (1).")
	linkDesc       = collector.NewDesc("golive_redis_replication_link_up", "On a replica, whether the link to the master is up (1).")
	replicasDesc   = collector.NewDesc("golive_redis_connected_replicas", "Replicas connected to this master.")
	dbKeysDesc     = collector.NewDesc("golive_redis_db_keys", "DBSIZE of the target's database.")
	keyspaceDesc   = collector.NewDesc("golive_redis_keyspace_keys", "Keys per database, from INFO keyspace.", "db")
	patternDesc    = collector.NewDesc("golive_redis_pattern_keys", "Keys matching a configured pattern, counted by bounded SCAN.", "pattern")
	completeDesc   = collector.NewDesc("golive_redis_pattern_scan_complete", "Whether the SCAN of a pattern finished (1) or stopped at max_scan keys visited (0).", "pattern")
	unavailDesc    = collector.NewDesc("golive_redis_figure_unavailable", "1 for each figure the server would not show (CONFIG disabled on managed Redis, for one).", "figure")
	configOKDesc   = collector.NewDesc("golive_redis_config_available", "Whether CONFIG GET works (1); without it figures come from INFO.")
	scanBatchSize  = int64(1000)
)

func init() {
	// go-redis logs dial failures to stderr on its own; the check's result
	// already says what failed.
	redis.SetLogger(quietLogger{})
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// Client is the shared client of one redis target.
type Client struct {
	*redis.Client
	secrets []string
}

// Close implements io.Closer for collector.Shared.
func (c *Client) Close() error { return c.Client.Close() }

// ClientFor returns the shared client of the named target.
func ClientFor(env collector.Env, target string) (*Client, error) {
	t, ok := env.Config.RedisTargets[target]
	if !ok || t == nil {
		return nil, collector.Failf(collector.ReasonConfig, "redis target %q is not defined under redis_targets", target)
	}
	c, err := env.Shared.Get("redis:"+target, func() (io.Closer, error) { return Open(env.Config, target, t) })
	if err != nil {
		return nil, err
	}
	return c.(*Client), nil
}

// Open builds the client of a target (without connecting).
func Open(cfg *config.Config, name string, t *config.RedisTarget) (*Client, error) {
	password, err := config.ReadSecret(context.Background(), httpclient.EnvSecrets{}, t.Password, cfg.ResolvePath(t.PasswordFile), t.PasswordRef)
	if err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("redis target %s: %w", name, err))
	}
	opts := &redis.Options{
		Addr:                  t.Address,
		Username:              t.Username,
		Password:              password,
		DB:                    t.DB,
		PoolSize:              t.MaxConnections,
		MaxIdleConns:          t.MaxConnections,
		MaxActiveConns:        t.MaxConnections,
		DialTimeout:           time.Duration(t.ConnectTimeout),
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		ContextTimeoutEnabled: true, // every call ends by the check's deadline
		MaxRetries:            -1,
		DialerRetries:         1, // the next run retries; a check must fail fast
		Protocol:              2,
		DisableIdentity:       true,
		ConnMaxIdleTime:       time.Minute,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	}
	if t.TLS != nil {
		tc, err := tlsConfig(cfg, t)
		if err != nil {
			return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("redis target %s: %w", name, err))
		}
		opts.TLSConfig = tc
	}
	var secrets []string
	if password != "" {
		secrets = append(secrets, password)
	}
	return &Client{Client: redis.NewClient(opts), secrets: secrets}, nil
}

// tlsConfig builds the client TLS of a target from prometheus/common's
// TLS settings, as the HTTP kinds do: files relative to the configuration
// file, *_ref secrets through the same manager, and the address's host as
// the name checked unless server_name says otherwise.
func tlsConfig(cfg *config.Config, t *config.RedisTarget) (*tls.Config, error) {
	tc := *t.TLS
	tc.CAFile, tc.CertFile, tc.KeyFile = cfg.ResolvePath(tc.CAFile), cfg.ResolvePath(tc.CertFile), cfg.ResolvePath(tc.KeyFile)
	if tc.ServerName == "" {
		host := t.Address
		if i := strings.LastIndex(host, ":"); i > 0 {
			host = strings.Trim(host[:i], "[]")
		}
		tc.ServerName = host
	}
	c, err := commoncfg.NewTLSConfigWithContext(context.Background(), &tc, commoncfg.WithSecretManager(httpclient.EnvSecrets{}))
	if err != nil {
		return nil, err
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c, nil
}

type redisCheck struct {
	cfg *RedisCheck
	env collector.Env
}

func newRedis(c *config.Check, env collector.Env) (collector.Check, error) {
	return &redisCheck{cfg: c.Spec().(*RedisCheck), env: env}, nil
}

// fail classifies an error and removes secrets from its text. Redis'
// words (WRONGPASS, NOAUTH, NOPERM, "max number of clients reached") get
// the reasons every kind gives them (collector.ReasonOf); a connection
// closed under the client is a network error.
func (c *Client) fail(err error, what string) error {
	reason := collector.ReasonOf(err)
	if reason == collector.ReasonError && (err == io.EOF || strings.Contains(strings.ToLower(err.Error()), "eof")) {
		reason = collector.ReasonNetwork
	}
	return &collector.Failure{Reason: reason, Err: collector.Scrub(fmt.Errorf("%s: %w", what, err), c.secrets...)}
}

// Run pings, reads INFO (and CONFIG where allowed), DBSIZE and the
// configured patterns.
func (c *redisCheck) Run(ctx context.Context, r *collector.Report) error {
	cl, err := ClientFor(c.env, c.cfg.Target)
	if err != nil {
		r.Bool(upDesc, false)
		return err
	}
	start := time.Now()
	err = cl.Ping(ctx).Err()
	if misconf := misconfError(err); misconf != "" {
		// The server answered, but refuses commands because it cannot
		// persist (a failed AOF write, or a failed RDB save with
		// stop-writes-on-bgsave-error): up, and failing. INFO still
		// answers and says which persistence failed.
		r.Assert("writes accepted", false, misconf, "PONG (Redis can persist and accepts writes)")
	} else if err != nil {
		r.Bool(upDesc, false)
		return cl.fail(err, "PING "+c.env.Config.RedisTargets[c.cfg.Target].Address)
	}
	r.Gauge(pingDesc, time.Since(start).Seconds())
	r.Bool(upDesc, true)
	raw, err := cl.Info(ctx).Result()
	if err != nil {
		return cl.fail(err, "INFO")
	}
	info := ParseInfo(raw)
	c.report(ctx, cl, info, r)
	n, err := cl.DBSize(ctx).Result()
	if err != nil {
		return cl.fail(err, "DBSIZE")
	}
	r.Gauge(dbKeysDesc, float64(n))
	if c.cfg.MinKeys > 0 {
		r.Assert("keys in db", n >= c.cfg.MinKeys, fmt.Sprint(n), fmt.Sprintf(">= %d", c.cfg.MinKeys))
	}
	for _, p := range c.cfg.Patterns {
		count, complete, err := ScanCount(ctx, cl.Client, p.Pattern, p.MaxScan)
		if err != nil {
			return cl.fail(err, "SCAN "+p.Pattern)
		}
		r.Gauge(patternDesc, float64(count), p.Pattern)
		r.Bool(completeDesc, complete, p.Pattern)
		if p.MinKeys > 0 {
			obs := fmt.Sprint(count)
			if !complete {
				obs += fmt.Sprintf(" (scan stopped after visiting %d keys)", p.MaxScan)
			}
			r.Assert("keys matching "+p.Pattern, count >= p.MinKeys, obs, fmt.Sprintf(">= %d", p.MinKeys))
		}
	}
	return nil
}

// misconfError returns the text of a MISCONF error reply (Redis refusing
// commands because it cannot persist), or "" for any other outcome.
func misconfError(err error) string {
	var rerr redis.Error
	if errors.As(err, &rerr) && strings.HasPrefix(rerr.Error(), "MISCONF") {
		return strings.TrimSpace(rerr.Error())
	}
	return ""
}

// ScanCount counts keys matching pattern with SCAN, visiting at most maxScan
// keys (SCAN's COUNT is the number of keys examined per call). It reports
// whether the whole keyspace was covered.
func ScanCount(ctx context.Context, cl *redis.Client, pattern string, maxScan int64) (int64, bool, error) {
	var (
		cursor  uint64
		count   int64
		visited int64
	)
	batch := min(scanBatchSize, maxScan)
	for {
		keys, next, err := cl.Scan(ctx, cursor, pattern, batch).Result()
		if err != nil {
			return count, false, err
		}
		count += int64(len(keys))
		visited += batch
		cursor = next
		if cursor == 0 {
			return count, true, nil
		}
		if visited >= maxScan {
			return count, false, nil
		}
	}
}

func (c *redisCheck) report(ctx context.Context, cl *Client, info map[string]string, r *collector.Report) {
	unavailable := func(figure string) { r.Gauge(unavailDesc, 1, figure) }
	role := info["role"]
	if role == "slave" {
		role = "replica"
	}
	r.Gauge(infoDesc, 1, info["redis_version"], role)
	if c.cfg.ExpectRole != "" {
		r.Assert("role", role == c.cfg.ExpectRole, role, c.cfg.ExpectRole)
	}
	gauge := func(d *prometheus.Desc, key string, counter bool, labels ...string) (float64, bool) {
		v, err := strconv.ParseFloat(info[key], 64)
		if err != nil {
			unavailable(key)
			return 0, false
		}
		if counter {
			r.Counter(d, v, labels...)
		} else {
			r.Gauge(d, v, labels...)
		}
		return v, true
	}
	gauge(uptimeDesc, "uptime_in_seconds", false)
	used, _ := gauge(usedDesc, "used_memory", false)
	gauge(clientsDesc, "connected_clients", false, "connected")
	gauge(clientsDesc, "blocked_clients", false, "blocked")
	gauge(evictedDesc, "evicted_keys", true)
	gauge(expiredDesc, "expired_keys", true)
	hits, okH := gauge(hitsDesc, "keyspace_hits", true)
	misses, okM := gauge(missesDesc, "keyspace_misses", true)
	if okH && okM {
		if hits+misses > 0 {
			ratio := hits / (hits + misses)
			r.Gauge(hitRatioDesc, ratio)
			if c.cfg.MinHitRatio > 0 {
				r.Assert("hit ratio", ratio >= c.cfg.MinHitRatio, fmt.Sprintf("%.3f", ratio), fmt.Sprintf(">= %g", c.cfg.MinHitRatio))
			}
		} else if c.cfg.MinHitRatio > 0 {
			r.Warn("hit ratio", false, "no lookups yet", fmt.Sprintf(">= %g", c.cfg.MinHitRatio))
		}
	}

	// Memory settings: CONFIG GET where allowed, INFO memory otherwise.
	maxmem, policy, save, configOK := c.configGet(ctx, cl)
	r.Bool(configOKDesc, configOK)
	if !configOK {
		unavailable("config")
		unavailable("rdb_schedule")
		if v, ok := info["maxmemory"]; ok {
			maxmem = v
		}
		policy = info["maxmemory_policy"]
	}
	if mm, err := strconv.ParseFloat(maxmem, 64); err == nil {
		r.Gauge(maxmemDesc, mm)
		if mm > 0 {
			ratio := used / mm
			r.Gauge(ratioDesc, ratio)
			r.Assert("memory used", ratio <= c.cfg.MaxUsedMemoryRatio, fmt.Sprintf("%.1f%% of maxmemory", ratio*100), fmt.Sprintf("<= %.0f%%", c.cfg.MaxUsedMemoryRatio*100))
		}
		if c.cfg.RequireMaxmemory {
			r.Assert("maxmemory set", mm > 0, fmt.Sprintf("maxmemory=%s", maxmem), "maxmemory > 0 (a bound so Redis evicts instead of being killed)")
		}
	} else {
		unavailable("maxmemory")
		if c.cfg.RequireMaxmemory {
			r.Warn("maxmemory set", false, "maxmemory unavailable (CONFIG and INFO do not show it)", "maxmemory > 0")
		}
	}
	if policy != "" {
		r.Gauge(policyDesc, 1, policy)
	} else {
		unavailable("maxmemory_policy")
	}
	if c.cfg.MaxmemoryPolicy != "" {
		if policy == "" {
			r.Warn("eviction policy", false, "unavailable", c.cfg.MaxmemoryPolicy)
		} else {
			r.Assert("eviction policy", policy == c.cfg.MaxmemoryPolicy, policy, c.cfg.MaxmemoryPolicy)
		}
	}

	// Persistence.
	if st, ok := info["rdb_last_bgsave_status"]; ok {
		r.Bool(bgsaveDesc, st == "ok")
		r.Assert("last RDB save", st == "ok", st, "ok")
	} else {
		unavailable("rdb_last_bgsave_status")
	}
	gauge(lastSaveDesc, "rdb_last_save_time", false)
	aofOn := info["aof_enabled"] == "1"
	r.Bool(aofOnDesc, aofOn)
	if aofOn {
		st := info["aof_last_write_status"]
		r.Bool(aofWriteDesc, st == "ok")
		r.Assert("last AOF write", st == "ok", st, "ok")
		// A failed rewrite leaves the AOF growing without bound and, on
		// Redis 7, its manifest stale: persistence is at risk as well.
		if st, ok := info["aof_last_bgrewrite_status"]; ok {
			r.Bool(aofRewriteDesc, st == "ok")
			r.Assert("last AOF rewrite", st == "ok", st, "ok")
		}
	}
	rdbOn := false
	if configOK {
		rdbOn = strings.TrimSpace(save) != ""
		r.Bool(rdbOnDesc, rdbOn)
	}
	if c.cfg.RequirePersistence {
		switch {
		case aofOn || rdbOn:
			r.Assert("persistence on", true, persistenceText(aofOn, rdbOn), "RDB or AOF on")
		case !configOK:
			r.Warn("persistence on", false, "AOF off; RDB schedule unavailable without CONFIG", "RDB or AOF on")
		default:
			r.Assert("persistence on", false, "RDB and AOF off", "RDB or AOF on")
		}
	}

	// Replication.
	if role == "replica" {
		link := info["master_link_status"] == "up"
		r.Bool(linkDesc, link)
		r.Assert("replication link", link, "master_link_status="+info["master_link_status"], "up")
	} else {
		gauge(replicasDesc, "connected_slaves", false)
	}
	for db := 0; db < 16; db++ {
		name := fmt.Sprintf("db%d", db)
		if v, ok := info[name]; ok {
			if keys, ok := keyspaceKeys(v); ok {
				r.Gauge(keyspaceDesc, float64(keys), name)
			}
		}
	}
}

func persistenceText(aof, rdb bool) string {
	var on []string
	if rdb {
		on = append(on, "RDB")
	}
	if aof {
		on = append(on, "AOF")
	}
	return strings.Join(on, "+") + " on"
}

// configGet reads the memory and save settings; ok is false when CONFIG is
// disabled or not permitted (managed Redis), in which case INFO is used.
func (c *redisCheck) configGet(ctx context.Context, cl *Client) (maxmem, policy, save string, ok bool) {
	res, err := cl.ConfigGet(ctx, "maxmemory").Result()
	if err != nil {
		c.env.Logger.Debug("CONFIG GET refused; falling back to INFO", "err", cl.fail(err, "CONFIG GET"))
		return "", "", "", false
	}
	maxmem = res["maxmemory"]
	if res, err := cl.ConfigGet(ctx, "maxmemory-policy").Result(); err == nil {
		policy = res["maxmemory-policy"]
	}
	if res, err := cl.ConfigGet(ctx, "save").Result(); err == nil {
		save = res["save"]
	}
	return maxmem, policy, save, true
}

// keyspaceKeys reads keys=N from an INFO keyspace value
// (keys=1,expires=0,avg_ttl=0).
func keyspaceKeys(v string) (int64, bool) {
	for _, part := range strings.Split(v, ",") {
		if k, val, ok := strings.Cut(part, "="); ok && k == "keys" {
			n, err := strconv.ParseInt(val, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// maxInfoBytes bounds how much of an INFO answer is parsed.
const maxInfoBytes = 1 << 20

// ParseInfo reads the key:value lines of an INFO answer; section headers
// (# Server) and blank lines are skipped.
func ParseInfo(s string) map[string]string {
	if len(s) > maxInfoBytes {
		s = s[:maxInfoBytes]
	}
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64*1024), maxInfoBytes)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out
}
