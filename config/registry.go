package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Kind is the settings of one kind of check, as written under the kind's
// key (log_rotation:, docker: ...). A kind's package declares the type,
// asserts it (var _ config.Kind = (*X)(nil)) and registers it with
// RegisterKind; collector.RegisterKind does so together with the kind's
// factory. When the type also has SetDefaults (Defaulter), defaults are
// filled in before Validate runs. Validate reports problems and does not
// change the settings.
type Kind interface {
	Validate(path string, p *Problems)
}

// IntervalDefaulter is implemented by a kind whose checks keep their
// result a while unless the file says otherwise (interval: 0 included):
// the database kinds, so that the load on the database does not grow with
// the number of scrapers.
type IntervalDefaulter interface {
	// DefaultsToInterval reports whether the kind's checks get
	// DefaultDatabaseInterval (or their timeout when longer) when the file
	// sets no interval.
	DefaultsToInterval() bool
}

// DefaultDatabaseInterval is the interval of a check whose kind is an
// IntervalDefaulter (postgres, postgres_migrations, postgres_indexes, sql)
// and whose configuration sets none (or the check's timeout, when longer).
const DefaultDatabaseInterval = 15 * time.Second

// UserQueries is implemented by a kind whose checks run queries the file
// writes (sql) on a postgres target: such a target is refused when its DSN
// connects as the superuser, unless it says allow_privileged_role (see
// PostgresTarget.Validate).
type UserQueries interface {
	// UserQueryTarget names the postgres_targets entry the queries run on.
	UserQueryTarget() string
}

var (
	kindsMu   sync.RWMutex
	kindsNew  = map[string]func() Kind{}
	kindKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// RegisterKind makes a kind's settings loadable under key, following
// Prometheus' discovery.RegisterConfig: the configuration keeps the
// global settings, the targets, the strict decoder and this registry; each
// kind lives in its own package and registers itself from init. newKind
// returns new, empty settings (a pointer to a struct). It panics on a
// programming error: a key registered twice or not a YAML key.
func RegisterKind(key string, newKind func() Kind) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if !kindKeyRE.MatchString(key) {
		panic(fmt.Sprintf("config: kind key %q is not lower-case letters, digits and _", key))
	}
	if _, dup := kindsNew[key]; dup {
		panic(fmt.Sprintf("config: kind %q registered twice", key))
	}
	if t := reflect.TypeOf(newKind()); t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("config: kind %q: its settings must be a pointer to a struct, not %v", key, t))
	}
	kindsNew[key] = newKind
}

// registeredKind returns the constructor of a registered kind's settings.
func registeredKind(key string) (func() Kind, bool) {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	f, ok := kindsNew[key]
	return f, ok
}

// registeredKeys lists the registered kinds' keys, sorted.
func registeredKeys() []string {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	keys := make([]string, 0, len(kindsNew))
	for k := range kindsNew {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// KindType returns the Go type of a kind's settings (a pointer to a
// struct), for the JSON schema and the docs tests; nil for an unknown key.
func KindType(key string) reflect.Type {
	if f, ok := registeredKind(key); ok {
		return reflect.TypeOf(f())
	}
	return nil
}

// checkFields are the keys a check may have: its own and every kind's.
func checkFields() map[string]reflect.Type {
	fields := yamlFields(reflect.TypeOf(Check{}))
	for _, k := range registeredKeys() {
		fields[k] = KindType(k)
	}
	return fields
}

// decodeKinds decodes, for every check of the file (the checks: list of
// the top mapping), the settings of the registered kinds it names. The
// check's own keys were decoded with the rest of the file; the decoder
// left these out as keys Check does not declare. Errors are those of the
// decoder: *yaml.TypeError for values that do not fit.
func (c *Config) decodeKinds(top *yaml.Node) error {
	checks := mappingValue(top, "checks")
	if checks == nil || checks.Kind != yaml.SequenceNode {
		return nil
	}
	var typeErrs []string
	for i, n := range checks.Content {
		if i >= len(c.Checks) {
			break
		}
		ch := c.Checks[i]
		n = resolveAlias(n)
		if ch == nil || n.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(n.Content); j += 2 {
			key := n.Content[j].Value
			newKind, ok := registeredKind(key)
			if !ok {
				continue
			}
			val := resolveAlias(n.Content[j+1])
			if val.Kind == yaml.ScalarNode && val.ShortTag() == "!!null" {
				continue // "http:" with no value: the check has no such kind
			}
			spec := newKind()
			if err := val.Decode(spec); err != nil {
				var te *yaml.TypeError
				if !errors.As(err, &te) {
					return err
				}
				typeErrs = append(typeErrs, te.Errors...)
			}
			ch.setRegistered(key, spec)
		}
	}
	if len(typeErrs) > 0 {
		return &yaml.TypeError{Errors: typeErrs}
	}
	return nil
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mappingValue returns the value of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	n = resolveAlias(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return resolveAlias(n.Content[i+1])
		}
	}
	return nil
}

// KindsIn lists the registered kinds whose settings type is declared in
// the package at pkgPath, in Kinds order: a kind package's tests take the
// list of their kinds from here rather than writing it again.
func KindsIn(pkgPath string) []string {
	var out []string
	for _, k := range registeredKeys() {
		if KindType(k).Elem().PkgPath() == pkgPath {
			out = append(out, k)
		}
	}
	return out
}
