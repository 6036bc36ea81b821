package cache

import (
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const cacheTargets = `redis_targets:
  cache: {address: "127.0.0.1:6379"}
`

func TestRedisConfigValid(t *testing.T) {
	c, err := config.Load([]byte(cacheTargets+`checks:
  - name: r
    redis: {target: cache, patterns: [{pattern: "s:*", min_keys: 3}]}
`), "t.yml")
	require.NoError(t, err)
	r := c.Checks[0].Spec().(*RedisCheck)
	assert.EqualValues(t, DefaultRedisScanMaxKeys, r.Patterns[0].MaxScan)
	assert.InDelta(t, 0.9, r.MaxUsedMemoryRatio, 0)
	assert.Zero(t, c.Checks[0].Interval, "a redis check runs on every scrape unless the file sets an interval")
}

func TestRedisConfigInvalid(t *testing.T) {
	tests := []struct {
		name, yml, want string
	}{
		{"redis unknown target", "  - name: x\n    redis: {target: nope}", `target "nope" is not defined; define it under redis_targets or use one of: cache`},
		{"redis missing target", "  - name: x\n    redis: {min_keys: 1}", "checks[0].redis.target: target is missing; name one of redis_targets"},
		{"redis pattern cap", "  - name: x\n    redis: {target: cache, patterns: [{pattern: 'a:*', min_keys: 50, max_scan: 10}]}", "could never pass"},
		{"redis duplicate pattern", "  - name: x\n    redis: {target: cache, patterns: [{pattern: 'a:*'}, {pattern: 'a:*'}]}", "listed twice"},
		{"bad role", "  - name: x\n    redis: {target: cache, expect_role: primary}", "write master or replica"},
		{"bad hit ratio", "  - name: x\n    redis: {target: cache, min_hit_ratio: 2}", "min_hit_ratio is 2"},
		{"unknown key", "  - name: x\n    redis: {target: cache, min_key: 1}", `did you mean "min_keys"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load([]byte(cacheTargets+"checks:\n"+tc.yml+"\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Regexp(t, `t\.yml:\d+: `, err.Error(), "errors carry file:line")
		})
	}
}
