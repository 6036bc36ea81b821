package rules

import (
	"bufio"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/golive/golive_exporter/rules/ruletest"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite deploy/kubernetes/prometheusrule.yaml from the rules")

const runbookPattern = "https://github.com/golive/golive_exporter/blob/main/rules/runbooks/%s.md"

var (
	alertName  = regexp.MustCompile(`^(GoLive[A-Z][A-Za-z0-9]+|Watchdog)$`)
	recordName = regexp.MustCompile(`^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$`)
	itemID     = regexp.MustCompile(`^[A-Z][A-Z0-9]\.[0-9]+\.[0-9]+$`)
	severities = map[string]bool{"critical": true, "warning": true, "info": true}
	// The checklist's items: the copy embedded in the checklist package.
	checklistFile = filepath.Join("..", "checklist", "default-checklist.tsv")
)

// loadGroups parses every rule file strictly, as Prometheus does.
func loadGroups(t *testing.T) map[string]*rulefmt.RuleGroups {
	t.Helper()
	out := map[string]*rulefmt.RuleGroups{}
	p := parser.NewParser(parser.Options{})
	for _, name := range FileNames() {
		b, err := Files.ReadFile(name)
		require.NoError(t, err)
		rgs, errs := rulefmt.Parse(b, false, model.UTF8Validation, p, slog.New(slog.DiscardHandler))
		require.Empty(t, errs, name)
		out[name] = rgs
	}
	require.NotEmpty(t, out)
	return out
}

// checklistIDs reads the item ids of the checklist.
func checklistIDs(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(checklistFile)
	require.NoError(t, err, "the checklist the rules' item labels are checked against")
	defer f.Close()
	ids := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		ids[strings.SplitN(sc.Text(), "\t", 2)[0]] = true
	}
	require.NoError(t, sc.Err())
	return ids
}

// conventionProblems lists how a rule file breaks the bundle's conventions;
// seen and groups carry alert and group names across files.
func conventionProblems(file string, rgs *rulefmt.RuleGroups, ids map[string]bool, seen map[string]string, groups map[string]bool) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, file+": "+fmt.Sprintf(format, args...)) }
	for _, g := range rgs.Groups {
		if !strings.HasPrefix(g.Name, "golive.") {
			add("group %q must be named golive.<area> (the prometheus check looks for that prefix)", g.Name)
		}
		if groups[g.Name] {
			add("group %q defined twice", g.Name)
		}
		groups[g.Name] = true
		for _, r := range g.Rules {
			if r.Record != "" {
				if !recordName.MatchString(r.Record) {
					add("recording rule %q is not named level:metric:operations", r.Record)
				}
				continue
			}
			name := r.Alert
			if !alertName.MatchString(name) {
				add("alert %q is not GoLive + CamelCase", name)
			}
			if seen[name] != "" {
				add("alert %s defined twice (also in %s)", name, seen[name])
			}
			seen[name] = file
			if !severities[r.Labels["severity"]] {
				add("%s: severity %q must be critical, warning or info", name, r.Labels["severity"])
			}
			if r.Labels["area"] == "" {
				add("%s: no area label", name)
			}
			if item, ok := r.Labels["item"]; ok {
				if !itemID.MatchString(item) || !ids[item] {
					add("%s: item %q is not a checklist item id", name, item)
				}
			} else if !regexp.MustCompile(`golive_check_item_info|golive_checklist_item_`).MatchString(r.Expr) {
				// The item comes from the series: the check's item info or the checklist's item metrics.
				add("%s: no item label and the expression does not carry one", name)
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				if strings.TrimSpace(r.Annotations[a]) == "" {
					add("%s: no %s annotation", name, a)
				}
			}
			if want := strings.Replace(runbookPattern, "%s", name, 1); r.Annotations["runbook_url"] != want {
				add("%s: runbook_url is not %s", name, want)
			}
			if _, err := os.Stat(filepath.Join("runbooks", name+".md")); err != nil {
				add("%s: no runbook file runbooks/%s.md", name, name)
			}
		}
	}
	return out
}

func TestRuleConventions(t *testing.T) {
	ids := checklistIDs(t)
	seen := map[string]string{}
	groups := map[string]bool{}
	for file, rgs := range loadGroups(t) {
		assert.Empty(t, conventionProblems(file, rgs, ids, seen, groups))
	}
	// No runbook without its alert.
	books, _ := filepath.Glob("runbooks/*.md")
	for _, b := range books {
		n := strings.TrimSuffix(filepath.Base(b), ".md")
		assert.NotEmpty(t, seen[n], "runbook %s has no alert", b)
	}
	assert.NotEmpty(t, seen["Watchdog"])
}

// TestConventionProblemsFound feeds the checker a file that breaks every
// convention: it must see each fault.
func TestConventionProblemsFound(t *testing.T) {
	bad := `groups:
  - name: mygroup
    rules:
      - record: job_rate
        expr: sum(rate(x[5m]))
      - alert: backup_failed
        expr: golive_check_success == 0
        labels:
          severity: page
          item: P9.9.99
        annotations:
          summary: x
          runbook_url: https://example.com/wiki
      - alert: GoLiveNoItem
        expr: up == 0
        labels:
          severity: warning
          area: x
        annotations:
          summary: x
          description: y
          runbook_url: https://github.com/golive/golive_exporter/blob/main/rules/runbooks/GoLiveNoItem.md
`
	rgs, errs := rulefmt.Parse([]byte(bad), false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	require.Empty(t, errs)
	got := strings.Join(conventionProblems("bad.yml", rgs, map[string]bool{"P1.1.04": true}, map[string]string{}, map[string]bool{}), "\n")
	for _, want := range []string{`group "mygroup" must be named golive.`, `recording rule "job_rate"`, `alert "backup_failed" is not GoLive`,
		`severity "page"`, "backup_failed: no area label", `item "P9.9.99" is not a checklist item id`, "backup_failed: no description annotation",
		"backup_failed: runbook_url is not", "no runbook file runbooks/backup_failed.md", "GoLiveNoItem: no item label", "no runbook file runbooks/GoLiveNoItem.md"} {
		assert.Contains(t, got, want)
	}
}

// promtoolTest is the part of a promtool test file this test reads.
type promtoolTest struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		AlertRuleTest []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// TestEveryAlertHasUnitTests checks that each alert is tested both firing
// and silent (before its for, or below its threshold) by promtool.
func TestEveryAlertHasUnitTests(t *testing.T) {
	fires, silent := map[string]bool{}, map[string]bool{}
	files, _ := filepath.Glob("tests/*.yml")
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var pt promtoolTest
		require.NoError(t, yaml.Unmarshal(b, &pt), f)
		for _, tc := range pt.Tests {
			for _, a := range tc.AlertRuleTest {
				if len(a.ExpAlerts) > 0 {
					fires[a.Alertname] = true
				} else {
					silent[a.Alertname] = true
				}
			}
		}
	}
	for _, rgs := range loadGroups(t) {
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				assert.True(t, fires[r.Alert], "%s: no promtool test where it fires", r.Alert)
				if r.Alert != "Watchdog" {
					assert.True(t, silent[r.Alert], "%s: no promtool test where it stays silent", r.Alert)
				}
			}
		}
	}
}

func TestRulesUseExportedMetrics(t *testing.T) {
	root, err := ruletest.ModuleRoot()
	require.NoError(t, err)
	known, err := ruletest.KnownMetrics(root)
	require.NoError(t, err)
	for file, rgs := range loadGroups(t) {
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				text := r.Expr
				for _, v := range r.Annotations {
					text += " " + v
				}
				for _, m := range ruletest.MetricRef.FindAllString(text, -1) {
					assert.True(t, known[m], "%s: %s%s uses %s, which the exporter does not export", file, r.Alert, r.Record, m)
				}
			}
		}
	}
}

// TestPromtool runs promtool check rules and test rules with Debian's
// promtool (2.x) and, when GOLIVE_EXTRA_PROMTOOL names one, a second
// promtool such as 3.x (go install github.com/prometheus/prometheus/cmd/promtool@v0.316.0).
func TestPromtool(t *testing.T) {
	tools := promtools(t)
	tests, _ := filepath.Glob("tests/*.yml")
	for _, promtool := range tools {
		args := append([]string{"check", "rules"}, FileNames()...)
		out, err := exec.Command(promtool, args...).CombinedOutput()
		require.NoError(t, err, "%s check rules:\n%s", promtool, out)
		args = append([]string{"test", "rules"}, tests...)
		out, err = exec.Command(promtool, args...).CombinedOutput()
		require.NoError(t, err, "%s test rules:\n%s", promtool, out)
	}
}

// promtools lists Debian's promtool and the one GOLIVE_EXTRA_PROMTOOL
// names; the test is skipped when there is none.
func promtools(t *testing.T) []string {
	t.Helper()
	var tools []string
	if p, err := exec.LookPath("promtool"); err == nil {
		tools = append(tools, p)
	}
	if p := os.Getenv("GOLIVE_EXTRA_PROMTOOL"); p != "" {
		tools = append(tools, p)
	}
	if len(tools) == 0 {
		t.Skip("promtool is not installed (scripts/install-deps.sh installs it)")
	}
	return tools
}

func TestPrometheusRuleInSync(t *testing.T) {
	want, err := PrometheusRule(Links{})
	require.NoError(t, err)
	path := filepath.Join("..", "deploy", "kubernetes", "prometheusrule.yaml")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, want, 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./rules -update to generate it")
	assert.Equal(t, string(want), string(got), "deploy/kubernetes/prometheusrule.yaml is out of date: run go test ./rules -update")

	// The manifest's groups are the bundle's, rule for rule.
	var m struct {
		Kind string `yaml:"kind"`
		Spec struct {
			Groups []rulefmt.RuleGroup `yaml:"groups"`
		} `yaml:"spec"`
	}
	require.NoError(t, yaml.Unmarshal(got, &m))
	assert.Equal(t, "PrometheusRule", m.Kind)
	n := 0
	for _, rgs := range loadGroups(t) {
		n += len(rgs.Groups)
	}
	assert.Len(t, m.Spec.Groups, n)
}

func TestRulesUseExportedLabels(t *testing.T) {
	root, err := ruletest.ModuleRoot()
	require.NoError(t, err)
	known, err := ruletest.KnownLabels(root)
	require.NoError(t, err)
	require.True(t, known["golive_check_success"]["kind"], "the core families are read")
	require.True(t, known["golive_test_report_cases"]["result"], "collector.NewDesc labels are read")
	for file, rgs := range loadGroups(t) {
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				bad, err := ruletest.UnknownLabelMatchers(r.Expr, known)
				require.NoError(t, err)
				assert.Empty(t, bad, "%s: %s%s matches labels the metric does not have", file, r.Alert, r.Record)
			}
		}
	}
	bad, err := ruletest.UnknownLabelMatchers(`golive_loadtest_latency_seconds{quantile="0.95"}`, map[string]map[string]bool{
		"golive_loadtest_latency_seconds": {"check": true, "percentile": true}})
	require.NoError(t, err)
	assert.Equal(t, []string{"golive_loadtest_latency_seconds{quantile}"}, bad)
}

// itemAlertExceptions are the automated checklist items with no alert of
// their own, each with the reason. Items verified by a probe, a query or a
// report need no entry: the area alerts join golive_check_item_info, so
// they alert for whichever item a failing check proves.
var itemAlertExceptions = map[string]string{
	"P1.4.20": "the same criterion as P4.2.05 (network throughput against link speed), alerted by GoLiveHostNetworkSaturated",
	"P3.3.01": "the union of P4.1.01, P4.1.02, P4.1.03 and P4.2.05 (CPU, memory, disk, network), each alerted on its own",
	"P4.2.03": "saturation of CPU (GoLiveHostCPUHigh, P4.1.01), network (GoLiveHostNetworkSaturated, P4.2.05) and database connections (the postgres check proving P3.2.04) alert on their own items",
	"P3.1.05": "'no alert firing in the bundle's groups' is a statement about the other alerts; the alertmanager check proving P3.1.06 and P5.1.02 counts them",
}

// TestEveryAutomatedItemHasAnAlert compares the checklist's automated items
// with the alerts: a rule item needs an alert with its id as the item
// label (or a listed exception); a probe, data or report item is covered by
// the area alerts built on golive_check_item_info, which every check kind
// but promql has (TestEveryKindHasAnArea).
func TestEveryAutomatedItemHasAnAlert(t *testing.T) {
	static := map[string][]string{}
	fromSeries := 0
	for _, rgs := range loadGroups(t) {
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				if item := r.Labels["item"]; item != "" {
					static[item] = append(static[item], r.Alert)
				} else if strings.Contains(r.Expr, "golive_check_item_info") {
					fromSeries++
				}
			}
		}
	}
	require.Positive(t, fromSeries, "no alert takes its item from golive_check_item_info")

	f, err := os.Open(testutil.ChecklistTSV(t))
	require.NoError(t, err)
	defer f.Close()
	automation := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		require.Len(t, cols, 7, "checklist line %q", sc.Text())
		if cols[0] != "id" && cols[5] != "manual" {
			automation[cols[0]] = cols[5]
		}
	}
	require.NoError(t, sc.Err())
	require.Len(t, automation, 120, "the checklist has 120 automated items")

	for id, how := range automation {
		switch {
		case len(static[id]) > 0:
		case itemAlertExceptions[id] != "":
			assert.Equal(t, "rule", how, "%s: only rule items may be exceptions", id)
		case how == "probe" || how == "data" || how == "report":
		default:
			assert.Fail(t, "rule item without an alert", "%s (%s) has no alert with item=%q and no entry in itemAlertExceptions", id, how, id)
		}
	}
	for id := range itemAlertExceptions {
		assert.Contains(t, automation, id, "exception %s is not an automated checklist item", id)
		assert.Empty(t, static[id], "exception %s has an alert now: drop the exception", id)
	}
}

// TestSLOSourceRulesSwitchable switches the SLO's source rules to a prefixed
// metric with its status in a `code` label, the edit docs/monitoring.md
// describes, and runs promtool on the result: the application's metric is
// named in those source rules only, and both a status code (500) and a
// status class (5xx) count as errors.
func TestSLOSourceRulesSwitchable(t *testing.T) {
	tools := promtools(t)
	b, err := Files.ReadFile("slo.rules.yml")
	require.NoError(t, err)
	lines := strings.Split(string(b), "\n")
	named := 0
	for i, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), "expr:") || !strings.Contains(l, "http_request_duration_seconds") {
			continue
		}
		named++
		l = strings.ReplaceAll(l, "http_request_duration_seconds", "myapp_http_request_duration_seconds")
		lines[i] = strings.ReplaceAll(l, "status=~", "code=~")
	}
	// Three for the whole API, three for the login route (P3.2.11).
	require.Equal(t, 6, named, "the application's metric must be named by exactly the six source rules")
	switched := strings.Join(lines, "\n")
	require.Contains(t, switched, `myapp_http_request_duration_seconds_count{code=~"5..|5xx"}`)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "slo.rules.yml"), []byte(switched), 0o600))
	test, err := os.ReadFile(filepath.Join("testdata", "slo_prefixed_test.yml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "slo_prefixed_test.yml"), test, 0o600))
	run := func(promtool string) ([]byte, error) {
		cmd := exec.Command(promtool, "test", "rules", "slo_prefixed_test.yml")
		cmd.Dir = dir
		return cmd.CombinedOutput()
	}
	for _, promtool := range tools {
		out, err := run(promtool)
		require.NoError(t, err, "%s test rules on the switched SLO rules:\n%s", promtool, out)
	}

	// Unswitched, the same series must not fire: the test really depends on the edit.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "slo.rules.yml"), b, 0o600))
	out, err := run(tools[0])
	require.Error(t, err, "the unswitched rules fired on the prefixed metric:\n%s", out)
}

var docAlertRow = regexp.MustCompile("(?m)^\\| `((?:GoLive[A-Za-z0-9]+)|Watchdog)` \\| (golive\\.[a-z]+) \\| ([a-z]+) \\| ([^|]+) \\|")

// TestDocsListEveryAlert keeps the alert table of docs/monitoring.md true:
// every alert with its group, severity and item, and no alert that is gone.
func TestDocsListEveryAlert(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "monitoring.md"))
	require.NoError(t, err)
	documented := map[string]string{}
	for _, m := range docAlertRow.FindAllStringSubmatch(string(b), -1) {
		documented[m[1]] = m[2] + " " + m[3] + " " + strings.TrimSpace(m[4])
	}
	for _, rgs := range loadGroups(t) {
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				item := r.Labels["item"]
				if item == "" {
					item = "from the series"
				}
				assert.Equal(t, g.Name+" "+r.Labels["severity"]+" "+item, documented[r.Alert], "docs/monitoring.md row of %s", r.Alert)
				delete(documented, r.Alert)
			}
		}
	}
	assert.Empty(t, documented, "docs/monitoring.md lists alerts the rules no longer have")
}
