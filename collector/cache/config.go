package cache

import (
	"fmt"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// The cache kind: its settings live here, beside the check, and register
// under its key with its factory. The redis_targets it names are global
// settings and stay in config.
func init() {
	collector.RegisterKind("redis", func() config.Kind { return new(RedisCheck) }, newRedis)
}

var (
	_ config.Kind      = (*RedisCheck)(nil)
	_ config.Defaulter = (*RedisCheck)(nil)
)

// DefaultRedisScanMaxKeys is a pattern's max_scan when the file sets none.
const DefaultRedisScanMaxKeys = 10000

// RedisCheck reports a Redis server's health and cache warmth.
type RedisCheck struct {
	// Target names a redis_targets entry.
	Target string `yaml:"target"`
	// ExpectRole is master or replica ("" accepts either).
	ExpectRole string `yaml:"expect_role,omitempty"`
	// RequireMaxmemory fails when maxmemory is 0 (unbounded).
	RequireMaxmemory bool `yaml:"require_maxmemory,omitempty"`
	// MaxmemoryPolicy, when set, is the eviction policy expected
	// (e.g. allkeys-lru).
	MaxmemoryPolicy string `yaml:"maxmemory_policy,omitempty"`
	// MaxUsedMemoryRatio fails when used memory exceeds this share of
	// maxmemory (default 0.9; only with maxmemory set).
	MaxUsedMemoryRatio float64 `yaml:"max_used_memory_ratio,omitempty"`
	// MinHitRatio fails when keyspace hits/(hits+misses) is below it
	// (0: not checked); no lookups yet passes.
	MinHitRatio float64 `yaml:"min_hit_ratio,omitempty"`
	// MinKeys fails when DBSIZE of the target's database is below it.
	MinKeys int64 `yaml:"min_keys,omitempty"`
	// Patterns count keys by bounded SCAN (never KEYS).
	Patterns []RedisPattern `yaml:"patterns,omitempty"`
	// RequirePersistence fails when neither RDB nor AOF is enabled; a
	// failed last save or write always fails.
	RequirePersistence bool `yaml:"require_persistence,omitempty"`
}

// RedisPattern is a key pattern whose keys a Redis check counts.
type RedisPattern struct {
	// Pattern is a SCAN MATCH pattern, e.g. session:*.
	Pattern string `yaml:"pattern"`
	// MinKeys fails when fewer keys match.
	MinKeys int64 `yaml:"min_keys,omitempty"`
	// MaxScan caps the keys visited (default 10000); the count stops there.
	MaxScan int64 `yaml:"max_scan,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *RedisCheck) SetDefaults() {
	if c.MaxUsedMemoryRatio == 0 {
		c.MaxUsedMemoryRatio = 0.9
	}
	for i := range c.Patterns {
		if c.Patterns[i].MaxScan == 0 {
			c.Patterns[i].MaxScan = DefaultRedisScanMaxKeys
		}
	}
}

// Validate implements config.Kind.
func (c *RedisCheck) Validate(path string, p *config.Problems) {
	config.ValidateRedisTarget(path, c.Target, p)
	if c.ExpectRole != "" && c.ExpectRole != "master" && c.ExpectRole != "replica" {
		p.Addf(path+".expect_role", "expect_role is %q; write master or replica, or leave it out", c.ExpectRole)
	}
	if c.MaxUsedMemoryRatio <= 0 || c.MaxUsedMemoryRatio > 1 {
		p.Addf(path+".max_used_memory_ratio", "max_used_memory_ratio is %g; write a share above 0 and at most 1", c.MaxUsedMemoryRatio)
	}
	if c.MinHitRatio < 0 || c.MinHitRatio > 1 {
		p.Addf(path+".min_hit_ratio", "min_hit_ratio is %g; write a share from 0 to 1", c.MinHitRatio)
	}
	if len(c.Patterns) > 20 {
		p.Addf(path+".patterns", "%d patterns; at most 20 (each is a labelled series and a SCAN)", len(c.Patterns))
	}
	seen := map[string]bool{}
	for i, pt := range c.Patterns {
		pp := fmt.Sprintf("%s.patterns[%d]", path, i)
		if pt.Pattern == "" {
			p.Addf(pp+".pattern", "pattern is missing; write e.g. session:*")
		}
		if seen[pt.Pattern] {
			p.Addf(pp+".pattern", "pattern %q is listed twice", pt.Pattern)
		}
		seen[pt.Pattern] = true
		if pt.MaxScan < 1 || pt.MaxScan > 1000000 {
			p.Addf(pp+".max_scan", "max_scan is %d; write 1 to 1000000 keys", pt.MaxScan)
		}
		if pt.MinKeys > pt.MaxScan {
			p.Addf(pp+".min_keys", "min_keys %d is above max_scan %d, so it could never pass; raise max_scan", pt.MinKeys, pt.MaxScan)
		}
	}
}
