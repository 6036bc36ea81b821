package checklist

import (
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigRefusesUnknownItems(t *testing.T) {
	tests := []struct {
		name   string
		config string
		files  map[string]string
		want   []string
	}{
		{
			name: "unknown item in a check's items, at the check's line",
			config: `checks:
  - name: web
    items:
      - P1.1.12
      - P9.1.01
    tcp: {address: "127.0.0.1:1"}
`,
			want: []string{`config.yml:5: checks[0].items[1]: item "P9.1.01" of check "web" is not in the checklist <shipped checklist>`},
		},
		{
			name: "checklist section settings",
			config: `checklist:
  mode: most
  windows:
    P1: {start: 1d, end: -1d}
    Z9: {start: 0s, end: 1d}
  blockers:
    kinds: [robot]
    phases: [ZZ]
    items: [P9.9.99]
  items:
    P1.1.12: {checks: [nope], mode: some}
    P9.1.01: {blocker: true}
checks:
  - name: web
    tcp: {address: "127.0.0.1:1"}
`,
			want: []string{
				`config.yml:2: checklist.mode: mode "most" is not known`,
				`config.yml:4: checklist.windows.P1.end: end -1d is before start 1d`,
				`config.yml:7: checklist.blockers.kinds[0]: kind "robot" is not known`,
				`config.yml:11: checklist.items.P1.1.12.checks[0]: no check is named "nope"`,
				`config.yml:11: checklist.items.P1.1.12.mode: mode "some" is not known`,
				`config.yml:9: checklist.blockers.items[0]: item "P9.9.99" is not in the checklist`,
				`config.yml:12: checklist.items.P9.1.01: item "P9.1.01" is not in the checklist`,
				`config.yml:8: checklist.blockers.phases[0]: phase "ZZ" is not in the checklist`,
				`config.yml:5: checklist.windows.Z9: "Z9" is no phase, section or item`,
			},
		},
		{
			name:   "bad offset",
			config: "checklist:\n  windows:\n    P1: {start: soon, end: 0s}\nchecks:\n  - name: web\n    tcp: {address: \"127.0.0.1:1\"}\n",
			want:   []string{`config.yml:3: `, `"soon" is not an offset`},
		},
		{
			name:   "bad go-live time",
			config: "checklist:\n  go_live: next tuesday\nchecks:\n  - name: web\n    tcp: {address: \"127.0.0.1:1\"}\n",
			want:   []string{"config.yml:2: ", `"next tuesday" is not a time; write RFC 3339`},
		},
		{
			name:   "user checklist with errors, reported at its own line",
			config: "checklist:\n  file: mine.tsv\nchecks:\n  - name: web\n    tcp: {address: \"127.0.0.1:1\"}\n",
			files:  map[string]string{"mine.tsv": strings.Join(Columns, "\t") + "\nP1.1.01\tP1\tS\tG\tT\tmagic\t\n"},
			want:   []string{"config.yml:2: checklist.file: ", "mine.tsv:2: item P1.1.01 has automation \"magic\""},
		},
		{
			name:   "missing checklist file",
			config: "checklist:\n  file: nothere.tsv\nchecks:\n  - name: web\n    tcp: {address: \"127.0.0.1:1\"}\n",
			want:   []string{"config.yml:2: checklist.file: reading checklist: open "},
		},
		{
			name:   "attestation of an unknown id, at its line",
			config: "checklist:\n  attestations: att.yml\nchecks:\n  - name: web\n    tcp: {address: \"127.0.0.1:1\"}\n",
			files:  map[string]string{"att.yml": "attestations:\n  - {item: P1.2.01, by: a, at: 2026-11-20T10:00:00Z}\n  - {item: P1.2.99, by: a, at: 2026-11-20T10:00:00Z}\n"},
			want:   []string{"config.yml:2: checklist.attestations: ", `att.yml:3: item "P1.2.99" is not in the checklist`},
		},
		{
			name:   "an item of a user checklist without a window",
			config: "checklist:\n  file: mine.tsv\n  go_live: 2026-12-01T08:00:00Z\nchecks:\n  - name: web\n    tcp: {address: \"127.0.0.1:1\"}\n",
			files:  map[string]string{"mine.tsv": strings.Join(Columns, "\t") + "\nX1.1.01\tX1\tS\tG\tT\tmanual\t\n"},
			want:   []string{"checklist.windows: item X1.1.01 (phase X1) has no due window"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"config.yml": tc.config}
			for k, v := range tc.files {
				files[k] = v
			}
			_, err := fixture(t, files)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestItemsAreCheckedByTheLoadThatAsks holds item 2 of issue 13: the item
// ids are checked because the load path asks for it (LoadConfig passes the
// checklist as a step), not because this package happens to be linked; and
// the load hands back the model it built, so that nobody builds it again.
func TestItemsAreCheckedByTheLoadThatAsks(t *testing.T) {
	yml := []byte("checks:\n  - name: web\n    items: [P9.1.01]\n    tcp: {address: \"127.0.0.1:1\"}\n")

	cfg, err := config.Load(yml, "golive.yml")
	require.NoError(t, err, "config alone checks the form of an id, not the checklist")
	require.NotNil(t, cfg)

	_, m, err := LoadConfig(yml, "golive.yml")
	require.EqualError(t, err, `golive.yml:3: checks[0].items[0]: item "P9.1.01" of check "web" is not in the checklist `+Default().Name+`; check the id`)
	assert.Nil(t, m)

	cfg, m, err = LoadConfig([]byte("checks:\n  - name: web\n    items: [P1.1.01]\n    tcp: {address: \"127.0.0.1:1\"}\n"), "golive.yml")
	require.NoError(t, err)
	require.NotNil(t, m)
	assert.Same(t, cfg, m.cfg, "the model is the one of this load")
	assert.Equal(t, []string{"web"}, m.bindings["P1.1.01"])
}

func TestConfigAcceptsChecklistSection(t *testing.T) {
	cfg, err := fixture(t, map[string]string{
		"config.yml": `checklist:
  go_live: 2026-12-01T08:00:00+01:00
  windows:
    P6: {start: 14d, end: 28d}
    X1: {start: -1d, end: 1d}
  blockers:
    items: [P1.2.01]
  items:
    P1.1.12: {checks: [web], mode: any, blocker: true}
  file: mine.tsv
checks:
  - name: web
    items: [P1.1.12]
    tcp: {address: "127.0.0.1:1"}
`,
		"mine.tsv": strings.Join(Columns, "\t") + "\nP1.1.12\tP1\tS\tG\tPorts\tprobe\t\nP1.2.01\tP1\tS\tG\tExport\tmanual\t\nP6.1.01\tP6\tS\tG\tHandoff\tmanual\t\nX1.1.01\tX1\tS\tG\tOwn\tmanual\t\n",
	})
	require.NoError(t, err)
	c := cfg.Checklist
	assert.Equal(t, time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC), c.GoLive.UTC())
	assert.Equal(t, config.Offset(14*24*time.Hour), c.Windows["P6"].Start, "configured window replaces the built-in one")
	assert.Equal(t, config.Offset(-14*24*time.Hour), c.Windows["P1"].Start, "built-in windows stay")
	assert.Equal(t, []string{"probe", "data", "report", "rule"}, c.Blockers.Kinds)
	assert.Equal(t, []string{"SO"}, c.Blockers.Phases)
	m, err := New(cfg)
	require.NoError(t, err)
	assert.Equal(t, []string{"web"}, m.Checks("P1.1.12"), "bound once, through items: and checklist.items")
	out, err := cfg.Marshal()
	require.NoError(t, err)
	assert.Contains(t, string(out), "start: -2w")
}

func TestMetrics(t *testing.T) {
	m := smallModel(t, "attestations:\n  - {item: P1.2.01, by: A, at: 2026-11-20T10:00:00Z, valid_for: 30d}\n")
	results := []collector.Result{res("backup", collector.StatusPass, "P1.1.01"), res("restore", collector.StatusFail, "P1.1.02")}
	c := collectorFunc(m.Exporter(func() time.Time { return goLive.Add(-10 * 24 * time.Hour) }), results)
	want := `
# HELP golive_checklist_blockers How many due blocker items are not OK.
# TYPE golive_checklist_blockers gauge
golive_checklist_blockers 1
# HELP golive_checklist_ready The verdict: 1 for GO (every due blocker passes or is attested), 0 for NO-GO.
# TYPE golive_checklist_ready gauge
golive_checklist_ready 0
# HELP golive_checklist_go_live_timestamp_seconds The planned go-live time, as a Unix timestamp; absent when not configured.
# TYPE golive_checklist_go_live_timestamp_seconds gauge
golive_checklist_go_live_timestamp_seconds 1.796112e+09
# HELP golive_checklist_attestation_timestamp_seconds When the item's newest attestation was made, as a Unix timestamp.
# TYPE golive_checklist_attestation_timestamp_seconds gauge
golive_checklist_attestation_timestamp_seconds{item="P1.2.01",kind="manual",phase="P1",section="Data Preparation"} 1.7951688e+09
# HELP golive_checklist_attestation_expiry_timestamp_seconds When the item's newest attestation stops counting, as a Unix timestamp; absent when it does not expire.
# TYPE golive_checklist_attestation_expiry_timestamp_seconds gauge
golive_checklist_attestation_expiry_timestamp_seconds{item="P1.2.01",kind="manual",phase="P1",section="Data Preparation"} 1.7977608e+09
# HELP golive_checklist_attestations_last_load_successful Whether the attestations file, read again when it changes, loaded (1) or its latest version was refused (0) and the previous attestations still count; absent without an attestations file.
# TYPE golive_checklist_attestations_last_load_successful gauge
golive_checklist_attestations_last_load_successful 1
# HELP golive_checklist_phase_items_due How many items of the phase are due (their window has begun).
# TYPE golive_checklist_phase_items_due gauge
golive_checklist_phase_items_due{phase="P1"} 3
golive_checklist_phase_items_due{phase="P3"} 0
golive_checklist_phase_items_due{phase="SO"} 0
# HELP golive_checklist_phase_items_passing How many due items of the phase pass or are attested.
# TYPE golive_checklist_phase_items_passing gauge
golive_checklist_phase_items_passing{phase="P1"} 2
golive_checklist_phase_items_passing{phase="P3"} 0
golive_checklist_phase_items_passing{phase="SO"} 0
# HELP golive_checklist_phase_items_failing How many due items of the phase are not OK (fail, missing or unknown).
# TYPE golive_checklist_phase_items_failing gauge
golive_checklist_phase_items_failing{phase="P1"} 1
golive_checklist_phase_items_failing{phase="P3"} 0
golive_checklist_phase_items_failing{phase="SO"} 0
# HELP golive_checklist_item_state The item's state: 1 for its current state (pass, fail, unknown, attested, missing, failing_early, upcoming); one series per item.
# TYPE golive_checklist_item_state gauge
golive_checklist_item_state{item="P1.1.01",kind="probe",phase="P1",section="Infrastructure Verification",state="pass"} 1
golive_checklist_item_state{item="P1.1.02",kind="probe",phase="P1",section="Infrastructure Verification",state="fail"} 1
golive_checklist_item_state{item="P1.2.01",kind="manual",phase="P1",section="Data Preparation",state="attested"} 1
golive_checklist_item_state{item="P3.1.01",kind="probe",phase="P3",section="Morning (Before Go-Live)",state="upcoming"} 1
golive_checklist_item_state{item="SO.1.01",kind="manual",phase="SO",section="Project Leadership Approval",state="upcoming"} 1
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want),
		"golive_checklist_blockers", "golive_checklist_ready", "golive_checklist_go_live_timestamp_seconds",
		"golive_checklist_attestation_timestamp_seconds", "golive_checklist_attestation_expiry_timestamp_seconds",
		"golive_checklist_attestations_last_load_successful", "golive_checklist_item_state",
		"golive_checklist_phase_items_due", "golive_checklist_phase_items_passing", "golive_checklist_phase_items_failing"))
	assert.Equal(t, 5, testutil.CollectAndCount(c, "golive_checklist_item_ok"))
	assert.Equal(t, 5, testutil.CollectAndCount(c, "golive_checklist_item_due"))
	assert.Equal(t, 5, testutil.CollectAndCount(c, "golive_checklist_item_blocker"))
	assert.Equal(t, 3*len(States), testutil.CollectAndCount(c, "golive_checklist_items"), "every state of every phase")
	problems, err := testutil.CollectAndLint(c)
	require.NoError(t, err)
	assert.Empty(t, problems)
}

// collectorFunc wraps a ResultExporter over fixed results as a collector.
func collectorFunc(x collector.ResultExporter, results []collector.Result) prometheus.Collector {
	return exporterCollector{x, results}
}

type exporterCollector struct {
	x       collector.ResultExporter
	results []collector.Result
}

func (e exporterCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(e, ch) }
func (e exporterCollector) Collect(ch chan<- prometheus.Metric) { e.x(e.results, ch) }

// only limits the collector to one metric family, for ToFloat64.
func (e exporterCollector) only(name string) prometheus.Collector {
	return filteredCollector{e, name}
}

type filteredCollector struct {
	c    prometheus.Collector
	name string
}

func (f filteredCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(f, ch) }
func (f filteredCollector) Collect(ch chan<- prometheus.Metric) {
	all := make(chan prometheus.Metric)
	go func() {
		f.c.Collect(all)
		close(all)
	}()
	for m := range all {
		if strings.Contains(m.Desc().String(), `fqName: "`+f.name+`"`) {
			ch <- m
		}
	}
}
