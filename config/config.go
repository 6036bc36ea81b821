// Package config reads the exporter's YAML file: the global settings, the
// checks with the keys every check has (name, items, timeout, interval,
// ...), the targets they share, defaults and validation. A kind's settings
// (http:, postgres:, ...) are declared by its package under collector/ and
// registered here (RegisterKind); this package imports no kind. Loading is
// strict: an unknown key, a wrong type or an invalid value is refused with
// file:line and a hint.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration file.
type Config struct {
	Global Global `yaml:"global"`
	// PostgresTargets are the PostgreSQL servers checks refer to by name; one
	// small connection pool is kept per target.
	PostgresTargets map[string]*PostgresTarget `yaml:"postgres_targets,omitempty"`
	// RedisTargets are the Redis servers checks refer to by name.
	RedisTargets map[string]*RedisTarget `yaml:"redis_targets,omitempty"`
	// Checklist binds the go-live checklist to checks and attestations.
	Checklist Checklist `yaml:"checklist,omitempty"`
	// Checks are the named checks, each of one kind.
	Checks []*Check `yaml:"checks"`

	file      string
	lines     map[string]int
	rawGlobal Global // as written, before defaults
	warnings  Errors // deprecation notices of the load (Warnings)
}

// Global holds settings that apply to every check.
type Global struct {
	// DefaultTimeout applies to checks that set no timeout of their own.
	DefaultTimeout model.Duration `yaml:"default_timeout,omitempty"`
	// MaxConcurrency bounds how many checks run at once.
	MaxConcurrency int `yaml:"max_concurrency,omitempty"`
	// SlotLease is how long a run may hold one of the max_concurrency slots;
	// past it the run gives the slot to the next check and goes on under
	// its own timeout, so that hung targets cannot hold every slot.
	SlotLease model.Duration `yaml:"slot_lease,omitempty"`
	// ScrapeTimeoutMargin is taken off Prometheus' scrape timeout so the
	// answer arrives before Prometheus gives up.
	ScrapeTimeoutMargin model.Duration `yaml:"scrape_timeout_margin,omitempty"`
	// DefaultScrapeTimeout is used when a scrape carries no
	// X-Prometheus-Scrape-Timeout-Seconds header.
	DefaultScrapeTimeout model.Duration `yaml:"default_scrape_timeout,omitempty"`
}

// Defaults for Global.
const (
	DefaultTimeout        = 10 * time.Second
	DefaultMaxConcurrency = 16
	DefaultSlotLease      = time.Second
	DefaultScrapeMargin   = 500 * time.Millisecond
	DefaultScrapeTimeout  = 10 * time.Second
)

var checkNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ItemIDRE is the form of a checklist item id, e.g. P1.1.02.
var ItemIDRE = regexp.MustCompile(`^[A-Z][A-Z0-9]*\.\d+\.\d+$`)

// File returns the path the configuration was loaded from ("" for the
// embedded default).
func (c *Config) File() string { return c.file }

// BaseDir is the folder relative paths in the configuration are resolved
// against: the config file's folder, or the working directory.
func (c *Config) BaseDir() string {
	if c.file == "" || c.file == EmbeddedName {
		wd, _ := os.Getwd()
		return wd
	}
	return filepath.Dir(c.file)
}

// ResolvePath makes a path from the configuration absolute, relative to the
// configuration file's folder.
func (c *Config) ResolvePath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.BaseDir(), p)
}

// Line returns the line of the YAML node at path (e.g. "checks[2].http.url"),
// or of its nearest ancestor that has one; 0 when unknown.
func (c *Config) Line(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := c.lines[p]; ok {
			return l
		}
	}
	return 0
}

// Position formats file:line for path, for error messages.
func (c *Config) Position(path string) string {
	if l := c.Line(path); l > 0 {
		return fmt.Sprintf("%s:%d", c.file, l)
	}
	return c.file
}

// CheckByName returns the named check, or nil.
func (c *Config) CheckByName(name string) *Check {
	for _, ch := range c.Checks {
		if ch.Name == name {
			return ch
		}
	}
	return nil
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return ""
	}
	return p[:i]
}

// Error is one problem in a configuration file, positioned at a line.
type Error struct {
	File string
	Line int
	Path string
	Msg  string
}

func (e *Error) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Path != "" {
		return fmt.Sprintf("%s: %s: %s", pos, e.Path, e.Msg)
	}
	return fmt.Sprintf("%s: %s", pos, e.Msg)
}

// Errors is every problem found in one file; Load reports them all at once.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Problems collects validation errors by YAML path while a configuration is
// checked. Kinds get one to report what is wrong with their settings.
type Problems struct {
	cfg    *Config
	errs   Errors
	walked int // YAML values visited by walkStrict
	// bad are the paths of values that could not be read (wrong type) and
	// badLines the lines of those the decoder refused: validation says
	// nothing more about them (it would only see the zero value).
	bad        []string
	badNodes   []*yaml.Node
	badLines   map[int]bool
	validating bool
	// warnings are deprecation notices: the load goes on.
	warnings Errors
}

// Addf records a problem at path. During validation a problem at, above
// or below a value that could not be read is left out: that value's own
// error says what to fix.
func (p *Problems) Addf(path, format string, args ...any) {
	line := p.cfg.Line(path)
	if p.validating && (p.badLines[line] || p.nearBad(path)) {
		return
	}
	p.errs = append(p.errs, &Error{File: p.cfg.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// addBad records a value that could not be read: node n at path.
func (p *Problems) addBad(n *yaml.Node, path, format string, args ...any) {
	p.Addf(path, format, args...)
	p.bad = append(p.bad, path)
	p.badNodes = append(p.badNodes, n)
}

// nearBad reports whether path is a value that could not be read, lies
// within one, or holds one.
func (p *Problems) nearBad(path string) bool {
	within := func(inner, outer string) bool {
		return strings.HasPrefix(inner, outer) && len(inner) > len(outer) && (inner[len(outer)] == '.' || inner[len(outer)] == '[')
	}
	for _, b := range p.bad {
		if b == path || within(path, b) || within(b, path) {
			return true
		}
	}
	return false
}

// Config is the configuration under validation, for cross references.
func (p *Problems) Config() *Config { return p.cfg }

// Validator is implemented by a kind's settings to check themselves after
// defaults are applied.
type Validator interface {
	Validate(path string, p *Problems)
}

// Defaulter is implemented by settings that fill in defaults before
// validation.
type Defaulter interface {
	SetDefaults()
}

// Resolver is implemented by settings that derive values from the whole
// configuration: paths relative to the configuration file's folder, a
// time relative to checklist.go_live. Resolve runs after every SetDefaults
// and before validation, so that Validate only reports and never changes
// the settings it checks (as Prometheus' config types do).
type Resolver interface {
	Resolve(c *Config)
}

// NewProblems returns an empty Problems for validating settings of c
// outside a load, as a kind's tests do; Err returns what was found.
func NewProblems(c *Config) *Problems {
	return &Problems{cfg: c, badLines: map[int]bool{}, validating: true}
}

// Err returns the problems found, or nil.
func (p *Problems) Err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return p.errs
}

// EmbeddedName is the file name errors give for the embedded default config.
const EmbeddedName = "<embedded default>"

// A Step is a validation the caller adds to a load, such as the checklist's
// check of item ids. It runs after the configuration's own validation, with
// the same Problems, so that every problem is reported at once with its
// line. It is an argument rather than a hook set from init: what a load
// checks is written where the load is called.
type Step func(c *Config, p *Problems)

// LoadFile reads and validates the configuration at path, then runs steps.
func LoadFile(path string, steps ...Step) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config file: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return Load(data, abs, steps...)
}

// Load parses and validates configuration data, then runs steps; name is
// the file name used in errors and for resolving relative paths.
func Load(data []byte, name string, steps ...Step) (*Config, error) {
	c := &Config{file: name, lines: map[string]int{}}
	docs := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := docs.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(name, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, Errors{{File: name, Msg: "the file is empty; it needs at least a checks: list"}}
	}
	if top := root.Content[0]; top.Kind != yaml.MappingNode && top.ShortTag() != "!!null" {
		return nil, Errors{{File: name, Line: top.Line, Msg: "the configuration must be a mapping of keys (global:, checks: ...), not a single value or a list"}}
	}
	p := &Problems{cfg: c, badLines: map[int]bool{}}
	var next yaml.Node
	if err := docs.Decode(&next); err == nil {
		p.errs = append(p.errs, &Error{File: name, Line: next.Line, Msg: "a second YAML document (after ---); keep the whole configuration in one document"})
	} else if !errors.Is(err, io.EOF) {
		p.errs = append(p.errs, yamlError(name, err).(Errors)...)
	}
	walkStrict(root.Content[0], reflect.TypeOf(Config{}), "", c.lines, p)
	if p.walked > maxNodes {
		return nil, p.errs // an alias bomb: nothing more is read
	}
	// Every problem is reported at once. The values walkStrict could not
	// read are left out of the decoding (their defaults stay), unknown keys
	// are not decoded, and the validation runs on the rest; it says nothing
	// more about a value that could not be read.
	for _, n := range p.badNodes {
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
	}
	if err := root.Decode(c); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			// The decoder stopped (a value that reads itself refused):
			// what it left half-read is not validated.
			return nil, append(p.errs, p.newOnly(yamlError(name, err))...)
		}
		p.errs = append(p.errs, p.newOnly(yamlError(name, te))...)
	}
	if err := c.decodeKinds(root.Content[0]); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, append(p.errs, p.newOnly(yamlError(name, err))...)
		}
		p.errs = append(p.errs, p.newOnly(yamlError(name, te))...)
	}
	c.setDefaults()
	c.resolve()
	p.validating = true
	c.validate(p)
	for _, step := range steps {
		step(c, p)
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	c.warnings = p.warnings
	return c, nil
}

// newOnly records the lines of the decoder's errors as unreadable and
// returns those errors walkStrict did not already report on their line.
func (p *Problems) newOnly(err error) Errors {
	var out Errors
	es, _ := err.(Errors)
	for _, e := range es {
		seen := false
		for _, have := range p.errs {
			seen = seen || (e.Line > 0 && have.Line == e.Line)
		}
		if e.Line > 0 {
			p.badLines[e.Line] = true
		}
		if !seen {
			out = append(out, e)
		}
	}
	return out
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError turns the YAML library's errors into positioned errors.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	var msgs []string
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var es Errors
	for _, m := range msgs {
		e := &Error{File: name, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sm := yamlLineRE.FindStringSubmatch(m); sm != nil {
			fmt.Sscanf(sm[1], "%d", &e.Line)
			e.Msg = sm[2]
		}
		switch {
		case strings.Contains(e.Msg, "cannot unmarshal"):
			e.Msg += " (check the value's type: a duration like 10s, a number, a string, or a list)"
		case strings.Contains(e.Msg, "already defined"):
			e.Msg += " (each key once per mapping)"
		case e.Line > 0:
			e.Msg += " (YAML syntax: check the indentation, quotes and brackets around this line)"
		}
		es = append(es, e)
	}
	return es
}

func (c *Config) setDefaults() {
	g := &c.Global
	c.rawGlobal = *g
	if g.DefaultTimeout <= 0 {
		g.DefaultTimeout = model.Duration(DefaultTimeout)
	}
	if g.MaxConcurrency <= 0 {
		g.MaxConcurrency = DefaultMaxConcurrency
	}
	if g.SlotLease <= 0 {
		g.SlotLease = model.Duration(DefaultSlotLease)
	}
	if g.ScrapeTimeoutMargin <= 0 {
		g.ScrapeTimeoutMargin = model.Duration(DefaultScrapeMargin)
	}
	if g.DefaultScrapeTimeout <= 0 {
		g.DefaultScrapeTimeout = model.Duration(DefaultScrapeTimeout)
	}
	for _, t := range c.PostgresTargets {
		if t != nil {
			callDefaults(t)
		}
	}
	for _, t := range c.RedisTargets {
		if t != nil {
			callDefaults(t)
		}
	}
	callDefaults(&c.Checklist)
	for i, ch := range c.Checks {
		if ch == nil {
			continue
		}
		if ch.Timeout <= 0 {
			ch.Timeout = g.DefaultTimeout
			// A check due more often than the default timeout gets its
			// interval as timeout, so that a run ends before the next.
			if ch.Interval > 0 && ch.Interval < ch.Timeout {
				ch.Timeout = ch.Interval
			}
		}
		// Database checks keep their result a while unless the file says
		// otherwise (interval: 0 included), so that the load on the
		// database does not grow with the number of scrapers.
		if _, written := c.lines[fmt.Sprintf("checks[%d].interval", i)]; !written && defaultsToInterval(ch) {
			ch.Interval = max(model.Duration(DefaultDatabaseInterval), ch.Timeout)
		}
		if spec := ch.Spec(); spec != nil {
			callDefaults(spec)
		}
	}
}

// resolve lets the settings that derive values from the configuration do
// so (see Resolver), before validation.
func (c *Config) resolve() {
	for _, ch := range c.Checks {
		if ch == nil {
			continue
		}
		if r, ok := ch.Spec().(Resolver); ok {
			r.Resolve(c)
		}
	}
}

// defaultsToInterval reports whether ch's kind keeps results
// DefaultDatabaseInterval by default (see IntervalDefaulter).
func defaultsToInterval(ch *Check) bool {
	d, ok := ch.Spec().(IntervalDefaulter)
	return ok && d.DefaultsToInterval()
}

func callDefaults(v any) {
	if d, ok := v.(Defaulter); ok {
		d.SetDefaults()
	}
}

func (c *Config) validate(p *Problems) {
	if c.rawGlobal.MaxConcurrency < 0 {
		p.Addf("global.max_concurrency", "max_concurrency %d is negative; write how many checks may run at once, e.g. %d", c.rawGlobal.MaxConcurrency, DefaultMaxConcurrency)
	}
	if g := c.Global; g.ScrapeTimeoutMargin >= g.DefaultScrapeTimeout {
		p.Addf("global.scrape_timeout_margin", "scrape_timeout_margin %s is not shorter than default_scrape_timeout %s; no time would be left for the checks", g.ScrapeTimeoutMargin, g.DefaultScrapeTimeout)
	}
	for _, name := range sortedKeys(c.PostgresTargets) {
		path := "postgres_targets." + name
		if c.PostgresTargets[name] == nil {
			p.Addf(path, "target is empty; give at least a dsn")
			continue
		}
		if v, ok := any(c.PostgresTargets[name]).(Validator); ok {
			v.Validate(path, p)
		}
	}
	for _, name := range sortedKeys(c.RedisTargets) {
		path := "redis_targets." + name
		if c.RedisTargets[name] == nil {
			p.Addf(path, "target is empty; give at least an address")
			continue
		}
		if v, ok := any(c.RedisTargets[name]).(Validator); ok {
			v.Validate(path, p)
		}
	}
	if len(c.Checks) == 0 {
		p.Addf("checks", "no checks configured; add at least one under checks:")
	}
	seen := map[string]int{}
	for i, ch := range c.Checks {
		path := fmt.Sprintf("checks[%d]", i)
		if ch == nil {
			p.Addf(path, "empty check; give it a name and one kind (%s)", strings.Join(Kinds(), ", "))
			continue
		}
		switch {
		case ch.Name == "":
			p.Addf(path, "check has no name; add name: followed by lower-case letters, digits and _")
		case !checkNameRE.MatchString(ch.Name):
			p.Addf(path+".name", "check name %q is not valid; use lower-case letters, digits and _, starting with a letter", ch.Name)
		default:
			if j, dup := seen[ch.Name]; dup {
				p.Addf(path+".name", "check name %q is used twice (first at line %d); every check needs its own name", ch.Name, c.Line(fmt.Sprintf("checks[%d]", j)))
			} else {
				seen[ch.Name] = i
			}
		}
		kinds := ch.registered
		switch len(kinds) {
		case 0:
			p.Addf(path, "check %q has no kind; add one of: %s", ch.Name, strings.Join(Kinds(), ", "))
		case 1:
		default:
			p.Addf(path, "check %q has several kinds (%s); split it into one check per kind", ch.Name, strings.Join(kinds, ", "))
		}
		for j, it := range ch.Items {
			if !ItemIDRE.MatchString(it) {
				p.Addf(fmt.Sprintf("%s.items[%d]", path, j), "%q is not a checklist item id; ids look like P1.1.02 (see the checklist)", it)
			}
		}
		if ch.Interval < 0 {
			p.Addf(path+".interval", "interval must not be negative")
		}
		if ch.Interval > 0 && ch.Timeout > ch.Interval {
			p.Addf(path+".timeout", "timeout %s is longer than interval %s; a run would still go on when the next is due", ch.Timeout, ch.Interval)
		}
		if ch.Background && ch.Interval <= 0 {
			p.Addf(path+".background", "a background check needs an interval: how often it runs")
		}
		validateLinks(path, ch.Links, p)
		if len(kinds) == 1 {
			if v, ok := ch.Spec().(Validator); ok {
				v.Validate(path+"."+kinds[0], p)
			}
		}
	}
	if v, ok := any(&c.Checklist).(Validator); ok {
		v.Validate("checklist", p)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Marshal returns the effective configuration as YAML with every secret
// masked, for the config endpoint.
func (c *Config) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	// Through a node tree, to mask the secrets that are plain strings
	// (tokens in URLs, OAuth2 endpoint_params); Secret values mask
	// themselves.
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	maskNode(&n)
	if err := enc.Encode(&n); err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	return buf.Bytes(), nil
}
