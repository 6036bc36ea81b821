// Package collector runs the configured checks and turns their results into
// metrics. Each kind of check lives in its own package below this one and
// registers itself here by its YAML key; the scheduler runs them
// concurrently, each under its own timeout, keeping results for their
// interval.
package collector

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/client_golang/prometheus"
)

// Namespace prefixes every metric the exporter exposes.
const Namespace = "golive"

// Check is one configured check, ready to run.
type Check interface {
	// Run performs the check once. It records what it measured in r and
	// returns an error when the check could not be done (the failure's
	// reason is taken from the error, see Failf and ReasonOf). Failed
	// conditions recorded in r fail the check without an error. Run must
	// return when ctx is done.
	Run(ctx context.Context, r *Report) error
}

// Env is what a kind's factory gets besides the check's settings.
type Env struct {
	// Config is the whole configuration, for targets and path resolution.
	Config *config.Config
	// Logger is the exporter's logger, with the check's name attached.
	Logger *slog.Logger
	// Shared holds resources shared between checks (connection pools),
	// closed when the configuration is replaced.
	Shared *Shared
}

// Factory builds a check from its configuration.
type Factory func(c *config.Check, env Env) (Check, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// registerFactory makes a kind's factory available under its YAML key;
// RegisterKind calls it with the kind's settings, so that no kind has a
// factory without settings the configuration can load.
func registerFactory(kind string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[kind]; dup {
		panic(fmt.Sprintf("collector: kind %q registered twice", kind))
	}
	registry[kind] = f
}

// RegisterKind registers a kind from its package's init: its settings
// under key in the configuration (config.RegisterKind: newConfig returns
// new, empty settings) and its factory, which gets those settings as the
// check's Spec. One call, so that a kind is one package.
func RegisterKind(key string, newConfig func() config.Kind, f Factory) {
	config.RegisterKind(key, newConfig)
	registerFactory(key, f)
}

// RegisteredKinds lists the kinds compiled into this binary.
func RegisteredKinds() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func factoryFor(kind string) (Factory, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	f, ok := registry[kind]
	return f, ok
}

// Status is a check's outcome.
type Status string

// The outcomes of a check. Unknown means it has not run yet.
const (
	StatusPass    Status = "pass"
	StatusWarn    Status = "warn"
	StatusFail    Status = "fail"
	StatusUnknown Status = "unknown"
)

// Condition is one thing a check asserts, shown beside the value it saw.
type Condition struct {
	Name     string `json:"name"`
	OK       bool   `json:"ok"`
	Observed string `json:"observed,omitempty"`
	Expected string `json:"expected,omitempty"`
	// Warning marks a condition whose failure only warns.
	Warning bool `json:"warning,omitempty"`
	// Reason is the check's reason when this condition fails it (e.g.
	// stale for a too-old figure, tls for a certificate that does not
	// verify); empty means condition_failed.
	Reason Reason `json:"reason,omitempty"`
	// unevaluated marks a condition that could not be judged (the figure
	// is missing): it fails, but a condition that was judged and failed is
	// the check's headline before it.
	unevaluated bool
}

// Sample is one metric value a check recorded. Labels exclude the check
// label, which the scheduler adds.
type Sample struct {
	Desc   *prometheus.Desc
	Type   prometheus.ValueType
	Value  float64
	Labels []string
	// Histogram, when set, makes the sample a histogram (Type and Value are
	// then unused).
	Histogram *HistogramValue
}

// HistogramValue is a histogram a check computed itself, such as the
// latencies of its recent probes.
type HistogramValue struct {
	Count uint64
	Sum   float64
	// Buckets maps each upper bound to the cumulative count at or below it.
	Buckets map[float64]uint64
}

// Histogram records a histogram value (see HistogramValue).
func (r *Report) Histogram(desc *prometheus.Desc, h HistogramValue, labels ...string) {
	r.add(Sample{Desc: desc, Histogram: &h, Labels: labels})
}

// Report collects what one run of a check found. It is safe for concurrent
// use by the check's own goroutines.
type Report struct {
	mu         sync.Mutex
	samples    []Sample
	conditions []Condition
}

// Gauge records a gauge value for desc (see NewDesc) with the given label
// values, not counting the check label.
func (r *Report) Gauge(desc *prometheus.Desc, v float64, labels ...string) {
	r.add(Sample{Desc: desc, Type: prometheus.GaugeValue, Value: v, Labels: labels})
}

// Counter records a counter value (a total the target itself keeps).
func (r *Report) Counter(desc *prometheus.Desc, v float64, labels ...string) {
	r.add(Sample{Desc: desc, Type: prometheus.CounterValue, Value: v, Labels: labels})
}

// Bool records 1 for true and 0 for false.
func (r *Report) Bool(desc *prometheus.Desc, b bool, labels ...string) {
	r.Gauge(desc, boolValue(b), labels...)
}

func (r *Report) add(s Sample) {
	r.mu.Lock()
	r.samples = append(r.samples, s)
	r.mu.Unlock()
}

// Assert records a condition: what was observed against what was expected.
// A false ok fails the check.
func (r *Report) Assert(name string, ok bool, observed, expected string) {
	r.mu.Lock()
	r.conditions = append(r.conditions, Condition{Name: name, OK: ok, Observed: observed, Expected: expected})
	r.mu.Unlock()
}

// AssertReason is Assert for a condition whose failure has a reason of its
// own rather than condition_failed: stale for a figure older than allowed,
// tls for a certificate that does not verify, auth for a 401 answer. The
// same failure then has the same reason in every kind.
func (r *Report) AssertReason(reason Reason, name string, ok bool, observed, expected string) {
	r.mu.Lock()
	r.conditions = append(r.conditions, Condition{Name: name, OK: ok, Observed: observed, Expected: expected, Reason: reason})
	r.mu.Unlock()
}

// Unevaluated records a condition that could not be judged because what
// it needs is missing (observed says so, e.g. "not in the result"): it
// fails the check, but a condition that was judged and failed is the
// check's headline before it, wherever it stands.
func (r *Report) Unevaluated(name, observed, expected string) {
	r.mu.Lock()
	r.conditions = append(r.conditions, Condition{Name: name, Observed: observed, Expected: expected, unevaluated: true})
	r.mu.Unlock()
}

// Warn records a condition whose failure only makes the check warn.
func (r *Report) Warn(name string, ok bool, observed, expected string) {
	r.mu.Lock()
	r.conditions = append(r.conditions, Condition{Name: name, OK: ok, Observed: observed, Expected: expected, Warning: true})
	r.mu.Unlock()
}

// Samples returns what was recorded so far (for tests of kinds).
func (r *Report) Samples() []Sample {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Sample(nil), r.samples...)
}

// Conditions returns the conditions recorded so far.
func (r *Report) Conditions() []Condition {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Condition(nil), r.conditions...)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// NewDesc describes a gauge family a kind records. The check label comes
// first and is added automatically; name is the full metric name, starting
// with golive_. The family joins Families, the list of everything the
// exporter can export.
func NewDesc(name, help string, labels ...string) *prometheus.Desc {
	return newFamily(name, help, "gauge", labels)
}

// NewCounterDesc is NewDesc for a counter family (recorded with
// Report.Counter; its name ends in _total).
func NewCounterDesc(name, help string, labels ...string) *prometheus.Desc {
	return newFamily(name, help, "counter", labels)
}

// NewHistogramDesc is NewDesc for a histogram family (Report.Histogram).
func NewHistogramDesc(name, help string, labels ...string) *prometheus.Desc {
	return newFamily(name, help, "histogram", labels)
}

// CutUTF8 returns s as valid UTF-8 (invalid bytes replaced by U+FFFD) cut
// to at most maxBytes bytes without splitting a character. Text a target
// sends (a certificate's name, a health answer's component) goes through
// it before it becomes a label value: client_golang refuses a label that is
// not valid UTF-8, and the whole series would be lost.
func CutUTF8(s string, maxBytes int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxBytes {
		return s
	}
	cut := max(maxBytes, 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// Result is the outcome of one run of a check.
type Result struct {
	Check       string        `json:"check"`
	Kind        string        `json:"kind"`
	Items       []string      `json:"items,omitempty"`
	Description string        `json:"description,omitempty"`
	Status      Status        `json:"status"`
	Reason      Reason        `json:"reason"`
	Message     string        `json:"message,omitempty"`
	Conditions  []Condition   `json:"conditions,omitempty"`
	Start       time.Time     `json:"last_run"`
	Duration    time.Duration `json:"-"`
	DurationSec float64       `json:"duration_seconds"`
	// QueueWait is how long the run waited before it started, from when a
	// scrape asked for it: for a free slot (global.max_concurrency), or
	// for a CPU while many checks start at once.
	QueueWait    time.Duration `json:"-"`
	QueueWaitSec float64       `json:"queue_wait_seconds"`
	// Running is true while a background run is under way.
	Running bool `json:"running,omitempty"`

	samples []Sample
	// series are the run's metrics, built when it ended (see
	// buildSeries); nil for a result no run made.
	series *runSeries
	// onCondition is set when a failed condition, not an error, failed the
	// run: the check ran to its end, so its result may be kept for its
	// interval like a pass.
	onCondition bool
}

// FailedOnCondition reports whether the run failed on one of its
// conditions (whatever that condition's reason) rather than on an error.
func (r Result) FailedOnCondition() bool { return r.onCondition }

// Success reports whether the check passed (a warning still passes).
func (r Result) Success() bool { return r.Status == StatusPass || r.Status == StatusWarn }

// Samples returns the metric values the run recorded.
func (r Result) Samples() []Sample { return r.samples }

// finish builds a Result from a run's report and error.
func finish(res Result, rep *Report, err error) Result {
	res.samples = rep.Samples()
	res.Conditions = rep.Conditions()
	res.Status = StatusPass
	res.Reason = ReasonNone
	if err != nil {
		res.Status = StatusFail
		res.Reason = ReasonOf(err)
		res.Message = err.Error()
		return res
	}
	// The headline is the first failed condition that was judged; one that
	// could not be judged only when no other failed.
	var headline *Condition
	for i := range res.Conditions {
		c := &res.Conditions[i]
		if c.OK {
			continue
		}
		if c.Warning {
			if res.Status == StatusPass {
				res.Status = StatusWarn
				res.Message = conditionText(*c)
			}
			continue
		}
		if headline == nil || (headline.unevaluated && !c.unevaluated) {
			headline = c
		}
	}
	if headline != nil {
		res.Status = StatusFail
		res.Reason = ReasonConditionFailed
		if headline.Reason != "" {
			res.Reason = headline.Reason
		}
		res.Message = conditionText(*headline)
		res.onCondition = true
	}
	return res
}

// conditionText is a failed condition as a message: "name: observed X,
// expected Y".
func conditionText(c Condition) string {
	if c.Observed == "" && c.Expected == "" {
		return c.Name
	}
	return fmt.Sprintf("%s: observed %s, expected %s", c.Name, orDash(c.Observed), orDash(c.Expected))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
