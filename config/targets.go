package config

import "strings"

// The checks of the database, cache and backup kinds name a target of the
// configuration (postgres_targets, redis_targets) by key; these report a
// name that is missing or names no target, with the names there are.

// ValidatePostgresTarget reports a check's target (at path.target) that is
// missing or names no postgres_targets entry.
func ValidatePostgresTarget(path, target string, p *Problems) {
	ValidateTarget(path, target, "postgres_targets", p.Config().PostgresTargets, p)
}

// ValidateRedisTarget reports a check's target (at path.target) that is
// missing or names no redis_targets entry.
func ValidateRedisTarget(path, target string, p *Problems) {
	ValidateTarget(path, target, "redis_targets", p.Config().RedisTargets, p)
}

// ValidateTarget reports a check's target (at path.target) that is missing
// or names no entry of targets, the section called section.
func ValidateTarget[V any](path, target, section string, targets map[string]V, p *Problems) {
	if target == "" {
		p.Addf(path+".target", "target is missing; name one of %s%s", section, TargetList(targets))
		return
	}
	if _, ok := targets[target]; !ok {
		p.Addf(path+".target", "target %q is not defined; define it under %s or use one of%s", target, section, TargetList(targets))
	}
}

// TargetList lists the names of targets for a message: ": a, b" in order,
// or " (none defined yet)".
func TargetList[V any](targets map[string]V) string {
	if len(targets) == 0 {
		return " (none defined yet)"
	}
	return ": " + strings.Join(sortedKeys(targets), ", ")
}
