package config

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
)

// Check is one named check of one kind. Exactly one of the kind fields is
// set; the YAML key names the kind (e.g. "http:").
type Check struct {
	// Name identifies the check in metrics (label check) and in the checklist.
	Name string `yaml:"name"`
	// Description says in words what the check proves; shown on the board.
	Description string `yaml:"description,omitempty"`
	// Items are the checklist item ids this check proves.
	Items []string `yaml:"items,omitempty"`
	// Timeout bounds one run. Default: global.default_timeout.
	Timeout model.Duration `yaml:"timeout,omitempty"`
	// Interval keeps a result this long before the check runs again; 0 runs
	// it on every scrape. Default 0, and DefaultDatabaseInterval (15s, or the
	// timeout when longer) for the postgres, postgres_migrations,
	// postgres_indexes and sql kinds.
	Interval model.Duration `yaml:"interval,omitempty"`
	// Background runs the check on its own schedule (every interval) instead
	// of on scrapes: for work too slow for a scrape, such as a restore test.
	Background bool `yaml:"background,omitempty"`
	// Links are where a person finds the evidence behind the check: its
	// report, its dashboard, its runbook. The board shows them next to the
	// check. Each URL must be an absolute http(s) URL.
	Links []Link `yaml:"links,omitempty"`

	// Network checks.
	HTTP          *HTTPCheck          `yaml:"http,omitempty"`
	TLS           *TLSCheck           `yaml:"tls,omitempty"`
	TCP           *TCPCheck           `yaml:"tcp,omitempty"`
	CORS          *CORSCheck          `yaml:"cors,omitempty"`
	HTTPSRedirect *HTTPSRedirectCheck `yaml:"https_redirect,omitempty"`
	RateLimit     *RateLimitCheck     `yaml:"rate_limit,omitempty"`
	Firewall      *FirewallCheck      `yaml:"firewall,omitempty"`
	HTTPEndpoints *HTTPEndpointsCheck `yaml:"http_endpoints,omitempty"`

	// Database and cache checks.
	Postgres           *PostgresCheck           `yaml:"postgres,omitempty"`
	PostgresMigrations *PostgresMigrationsCheck `yaml:"postgres_migrations,omitempty"`
	PostgresIndexes    *PostgresIndexesCheck    `yaml:"postgres_indexes,omitempty"`
	SQL                *SQLCheck                `yaml:"sql,omitempty"`
	Redis              *RedisCheck              `yaml:"redis,omitempty"`

	// Backup checks.
	PgBackRest    *PgBackRestCheck    `yaml:"pgbackrest,omitempty"`
	WALG          *WALGCheck          `yaml:"walg,omitempty"`
	Barman        *BarmanCheck        `yaml:"barman,omitempty"`
	DumpFolder    *DumpFolderCheck    `yaml:"dump_folder,omitempty"`
	Restore       *RestoreCheck       `yaml:"restore,omitempty"`
	RestoreResult *RestoreResultCheck `yaml:"restore_result,omitempty"`

	// Report checks.
	JUnit      *JUnitCheck      `yaml:"junit,omitempty"`
	TestReport *TestReportCheck `yaml:"test_report,omitempty"`
	LoadTest   *LoadTestCheck   `yaml:"loadtest,omitempty"`

	// Monitoring-stack checks.
	Prometheus   *PrometheusCheck   `yaml:"prometheus,omitempty"`
	Alertmanager *AlertmanagerCheck `yaml:"alertmanager,omitempty"`
	Grafana      *GrafanaCheck      `yaml:"grafana,omitempty"`
	Loki         *LokiCheck         `yaml:"loki,omitempty"`
	PromQL       *PromQLCheck       `yaml:"promql,omitempty"`
	ServiceReady *ServiceReadyCheck `yaml:"service_ready,omitempty"`

	// Checks of the host the exporter runs on.
	LogRotation *LogRotationCheck `yaml:"log_rotation,omitempty"`
	Docker      *DockerCheck      `yaml:"docker,omitempty"`
}

// Link is one evidence link of a check.
type Link struct {
	// Title is the link's text on the board, e.g. "Load test report".
	Title string `yaml:"title"`
	// URL is where the link goes: an absolute http or https URL.
	URL string `yaml:"url"`
}

// validateLinks checks a check's links: a title, and an absolute http(s)
// URL on one line (no javascript: or data: URL reaches the board).
func validateLinks(path string, links []Link, p *Problems) {
	for i, l := range links {
		lp := fmt.Sprintf("%s.links[%d]", path, i)
		if strings.TrimSpace(l.Title) == "" {
			p.Addf(lp+".title", "link has no title; add title: the text the board shows, e.g. \"Load test report\"")
		}
		u, err := url.Parse(l.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(l.URL, "\r\n") {
			p.Addf(lp+".url", "link URL %q is not an absolute http(s) URL; give one such as https://grafana.example.com/d/abc", l.URL)
		}
	}
}

// kindOrder lists every kind's YAML key in declaration order, and
// kindFields maps each to its field index in Check; both are read from the
// struct once.
var kindOrder, kindFields = func() ([]string, map[string]int) {
	var order []string
	m := map[string]int{}
	t := reflect.TypeOf(Check{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Type.Kind() != reflect.Pointer || f.Type.Elem().Kind() != reflect.Struct {
			continue
		}
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		order = append(order, name)
		m[name] = i
	}
	return order, m
}()

// Kinds lists every check kind's YAML key, in declaration order.
func Kinds() []string { return slices.Clone(kindOrder) }

func (c *Check) setKinds() []string {
	var kinds []string
	v := reflect.ValueOf(c).Elem()
	for _, k := range kindOrder {
		if !v.Field(kindFields[k]).IsNil() {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// Kind returns the check's kind (its YAML key), or "" when none is set.
func (c *Check) Kind() string {
	if ks := c.setKinds(); len(ks) > 0 {
		return ks[0]
	}
	return ""
}

// Spec returns the settings of the check's kind (e.g. *HTTPCheck), or nil.
func (c *Check) Spec() any {
	k := c.Kind()
	if k == "" {
		return nil
	}
	return reflect.ValueOf(c).Elem().Field(kindFields[k]).Interface()
}
