package checklist

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const baseConfig = `
checklist:
  file: small.tsv
  go_live: 2026-12-01T08:00:00Z
  attestations: attest.yml
%s
checks:
  - name: backup
    items: [P1.1.01]
    tcp: {address: "127.0.0.1:1"}
  - name: restore
    items: [P1.1.02]
    tcp: {address: "127.0.0.1:1"}
  - name: servers
    items: [P3.1.01]
    tcp: {address: "127.0.0.1:1"}
  - name: restore_replica
    tcp: {address: "127.0.0.1:1"}
`

func TestEvaluate(t *testing.T) {
	day := 24 * time.Hour
	pass, fail, warn := collector.StatusPass, collector.StatusFail, collector.StatusWarn
	allPass := []collector.Result{res("backup", pass, "P1.1.01"), res("restore", pass, "P1.1.02"), res("servers", pass, "P3.1.01")}
	signed := "attestations:\n  - {item: SO.1.01, by: Pat Manager, at: 2026-11-28T09:00:00Z, note: signed}\n"
	tests := []struct {
		name     string
		section  string // extra checklist: settings
		attest   string
		results  []collector.Result
		now      time.Time
		verdict  string
		blockers []string
		states   map[string]State
		reasons  map[string]string // substrings of items' reasons
		early    []string          // items failing early (nil: not checked)
	}{
		{
			name: "three weeks before: everything upcoming, nothing blocks",
			now:  goLive.Add(-21 * day), verdict: VerdictGo, blockers: []string{},
			states: map[string]State{"P1.1.01": StateUpcoming, "P1.2.01": StateUpcoming, "SO.1.01": StateUpcoming},
		},
		{
			name:    "a passing check before its window already shows pass",
			results: allPass, now: goLive.Add(-21 * day), verdict: VerdictGo, blockers: []string{},
			states: map[string]State{"P1.1.01": StatePass, "P3.1.01": StatePass},
		},
		{
			name:    "a failing check before its window fails early, without blocking",
			results: append(allPass[:2:2], res("servers", fail, "P3.1.01")), attest: signed, now: goLive.Add(-2 * day),
			verdict: VerdictGo, blockers: []string{}, early: []string{"P3.1.01"},
			states:  map[string]State{"P3.1.01": StateFailingEarly, "P1.1.01": StatePass},
			reasons: map[string]string{"P3.1.01": "servers: connection_refused: dial tcp"},
		},
		{
			name:    "an attestation does not hide a check failing early",
			results: append(allPass[:2:2], res("servers", fail, "P3.1.01")), now: goLive.Add(-2 * day),
			attest:  signed + "  - {item: P3.1.01, by: Sam, at: 2026-11-20T08:00:00Z}\n",
			verdict: VerdictGo, early: []string{"P3.1.01"},
			states: map[string]State{"P3.1.01": StateFailingEarly},
		},
		{
			name:    "before its window a check without a result leaves the item upcoming",
			results: append(allPass[:2:2], res("servers", collector.StatusUnknown, "P3.1.01")), attest: signed, now: goLive.Add(-2 * day),
			verdict: VerdictGo, early: []string{},
			states:  map[string]State{"P3.1.01": StateUpcoming},
			reasons: map[string]string{"P3.1.01": "due from 2026-11-30T20:00:00Z"},
		},
		{
			name:    "once due, the early failure is a plain failure and blocks",
			results: []collector.Result{res("backup", pass, "P1.1.01"), res("restore", pass, "P1.1.02"), res("servers", fail, "P3.1.01")},
			attest:  signed, now: goLive.Add(-time.Hour), verdict: VerdictNoGo, blockers: []string{"P3.1.01"}, early: []string{},
			states: map[string]State{"P3.1.01": StateFail},
		},
		{
			name:    "phase 1 due: a failed automated item blocks",
			results: []collector.Result{res("backup", pass, "P1.1.01"), res("restore", fail, "P1.1.02")},
			now:     goLive.Add(-10 * day), verdict: VerdictNoGo, blockers: []string{"P1.1.02"},
			states:  map[string]State{"P1.1.01": StatePass, "P1.1.02": StateFail, "P1.2.01": StateMissing, "SO.1.01": StateUpcoming},
			reasons: map[string]string{"P1.1.02": "restore: connection_refused: dial tcp", "P1.2.01": "not attested"},
		},
		{
			name:    "a warning still passes",
			results: []collector.Result{res("backup", warn, "P1.1.01"), res("restore", pass, "P1.1.02")},
			now:     goLive.Add(-10 * day), verdict: VerdictGo, blockers: []string{},
			states: map[string]State{"P1.1.01": StatePass},
		},
		{
			name:    "a check that has not run leaves the item unknown, and unknown blocks",
			results: []collector.Result{res("backup", collector.StatusUnknown, "P1.1.01"), res("restore", pass, "P1.1.02")},
			now:     goLive.Add(-10 * day), verdict: VerdictNoGo, blockers: []string{"P1.1.01"},
			states:  map[string]State{"P1.1.01": StateUnknown},
			reasons: map[string]string{"P1.1.01": "no result yet from backup"},
		},
		{
			name: "an automated item with no check bound is unknown, never pass",
			now:  goLive.Add(-10 * day), verdict: VerdictNoGo, blockers: []string{"P1.1.01", "P1.1.02"},
			results: []collector.Result{},
			states:  map[string]State{"P1.1.01": StateUnknown, "P1.1.02": StateUnknown},
		},
		{
			name:    "final week: sign-off due and missing blocks",
			results: allPass, now: goLive.Add(-5 * day), verdict: VerdictNoGo, blockers: []string{"SO.1.01"},
			states: map[string]State{"SO.1.01": StateMissing, "P3.1.01": StatePass},
		},
		{
			name:    "signed off: GO",
			results: allPass, attest: signed, now: goLive.Add(-1 * day), verdict: VerdictGo, blockers: []string{},
			states: map[string]State{"SO.1.01": StateAttested},
		},
		{
			name:    "go-live day: a due probe without result blocks",
			results: allPass[:2], attest: signed, now: goLive.Add(-time.Hour), verdict: VerdictNoGo, blockers: []string{"P3.1.01"},
			states: map[string]State{"P3.1.01": StateUnknown},
		},
		{
			name:    "an attestation that expired no longer counts",
			results: allPass,
			attest:  "attestations:\n  - {item: SO.1.01, by: Pat Manager, at: 2026-11-28T09:00:00Z, valid_for: 24h}\n",
			now:     goLive.Add(-1 * day), verdict: VerdictNoGo, blockers: []string{"SO.1.01"},
			states:  map[string]State{"SO.1.01": StateMissing},
			reasons: map[string]string{"SO.1.01": "attestation by Pat Manager expired at 2026-11-29T09:00:00Z"},
		},
		{
			name:    "an attestation still within valid_for counts",
			results: allPass,
			attest:  "attestations:\n  - {item: SO.1.01, by: Pat Manager, at: 2026-11-29T12:00:00Z, valid_for: 24h}\n",
			now:     goLive.Add(-1 * day), verdict: VerdictGo, blockers: []string{},
			states: map[string]State{"SO.1.01": StateAttested},
		},
		{
			name:    "expires: is exclusive",
			results: allPass,
			attest:  "attestations:\n  - {item: SO.1.01, by: Pat, at: 2026-11-29T08:00:00Z, expires: 2026-11-30T08:00:00Z}\n",
			now:     goLive.Add(-1 * day), verdict: VerdictNoGo,
			states: map[string]State{"SO.1.01": StateMissing},
		},
		{
			name:    "a newer attestation replaces an expired one",
			results: allPass,
			attest: "attestations:\n  - {item: SO.1.01, by: Old, at: 2026-11-20T08:00:00Z, valid_for: 1d}\n" +
				"  - {item: SO.1.01, by: New, at: 2026-11-30T07:00:00Z, valid_for: 1d}\n",
			now: goLive.Add(-1 * day), verdict: VerdictGo,
			states: map[string]State{"SO.1.01": StateAttested},
		},
		{
			name:    "an attestation dated after now does not count yet",
			results: allPass,
			attest:  "attestations:\n  - {item: SO.1.01, by: Pat, at: 2026-11-30T12:00:00Z}\n",
			now:     goLive.Add(-1 * day), verdict: VerdictNoGo,
			states:  map[string]State{"SO.1.01": StateMissing},
			reasons: map[string]string{"SO.1.01": "dated in the future"},
		},
		{
			name:    "an attestation never hides a failing check",
			results: []collector.Result{res("backup", pass, "P1.1.01"), res("restore", fail, "P1.1.02")},
			attest:  "attestations:\n  - {item: P1.1.02, by: Sam, at: 2026-11-20T08:00:00Z}\n",
			now:     goLive.Add(-10 * day), verdict: VerdictNoGo, blockers: []string{"P1.1.02"},
			states: map[string]State{"P1.1.02": StateFail},
		},
		{
			name:    "an attestation stands in for an automated item without a result",
			results: []collector.Result{res("backup", pass, "P1.1.01")},
			attest:  "attestations:\n  - {item: P1.1.02, by: Sam, at: 2026-11-20T08:00:00Z}\n",
			now:     goLive.Add(-10 * day), verdict: VerdictGo, blockers: []string{},
			states: map[string]State{"P1.1.02": StateAttested},
		},
		{
			name:    "mode all: one of two bound checks failing fails the item",
			section: "  items:\n    P1.1.02: {checks: [restore_replica]}",
			results: []collector.Result{res("backup", pass, "P1.1.01"), res("restore", pass, "P1.1.02"), res("restore_replica", fail)},
			now:     goLive.Add(-10 * day), verdict: VerdictNoGo, blockers: []string{"P1.1.02"},
			states:  map[string]State{"P1.1.02": StateFail},
			reasons: map[string]string{"P1.1.02": "restore_replica: connection_refused"},
		},
		{
			name:    "mode any: one passing check is enough",
			section: "  items:\n    P1.1.02: {checks: [restore_replica], mode: any}",
			results: []collector.Result{res("backup", pass, "P1.1.01"), res("restore", fail, "P1.1.02"), res("restore_replica", pass)},
			now:     goLive.Add(-10 * day), verdict: VerdictGo, blockers: []string{},
			states: map[string]State{"P1.1.02": StatePass},
		},
		{
			name:    "mode any: all failing fails",
			section: "  mode: any\n  items:\n    P1.1.02: {checks: [restore_replica]}",
			results: []collector.Result{res("backup", pass, "P1.1.01"), res("restore", fail, "P1.1.02"), res("restore_replica", fail)},
			now:     goLive.Add(-10 * day), verdict: VerdictNoGo,
			states: map[string]State{"P1.1.02": StateFail},
		},
		{
			name:    "a per-item blocker: false lets a failing item through",
			section: "  items:\n    P1.1.02: {blocker: false}",
			results: []collector.Result{res("backup", pass, "P1.1.01"), res("restore", fail, "P1.1.02")},
			now:     goLive.Add(-10 * day), verdict: VerdictGo, blockers: []string{},
			states: map[string]State{"P1.1.02": StateFail},
		},
		{
			name:    "blockers: a manual item made a blocker",
			section: "  blockers:\n    items: [P1.2.01]",
			results: allPass, now: goLive.Add(-10 * day), verdict: VerdictNoGo, blockers: []string{"P1.2.01"},
		},
		{
			name:    "blockers: kinds [] and the sign-off excepted leave nothing to block",
			section: "  blockers:\n    kinds: []\n    except: [SO.1.01]",
			now:     goLive.Add(-1 * day), verdict: VerdictGo, blockers: []string{},
		},
		{
			name:    "a configured window moves an item's due date",
			section: "  windows:\n    P3.1.01: {start: -3d, end: 0s}",
			results: allPass[:2], attest: signed, now: goLive.Add(-2 * day), verdict: VerdictNoGo, blockers: []string{"P3.1.01"},
			states: map[string]State{"P3.1.01": StateUnknown},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			attest := tc.attest
			if attest == "" {
				attest = "attestations: []\n"
			}
			m := mustModel(t, map[string]string{
				"config.yml": strings.Replace(baseConfig, "%s", tc.section, 1),
				"small.tsv":  smallTSV,
				"attest.yml": attest,
			})
			st := m.Evaluate(tc.results, tc.now)
			if tc.verdict != "" {
				assert.Equal(t, tc.verdict, st.Verdict)
				assert.Equal(t, tc.verdict == VerdictGo, st.Ready)
			}
			if tc.blockers != nil {
				assert.Equal(t, tc.blockers, st.Blockers)
			}
			if tc.early != nil {
				assert.Equal(t, tc.early, st.FailingEarly)
			}
			for id, want := range tc.states {
				assert.Equal(t, want, itemState(t, st, id).State, "state of %s", id)
			}
			for id, want := range tc.reasons {
				assert.Contains(t, itemState(t, st, id).Reason, want, "reason of %s", id)
			}
			total := 0
			for _, n := range st.Counts {
				total += n
			}
			assert.Equal(t, 5, total, "every item has exactly one state")
			// Each section's statuses were allocated once, at their size.
			for _, p := range st.Phases {
				for _, sec := range p.Sections {
					assert.Equal(t, len(sec.Items), cap(sec.Items), "section %s of %s", sec.Name, p.ID)
				}
			}
			// The summary the metrics use says the same, without the items.
			full := *st
			full.Phases = slices.Clone(st.Phases)
			for i := range full.Phases {
				full.Phases[i].Sections = nil
			}
			assert.Equal(t, &full, m.evaluateSummary(tc.results, tc.now))
		})
	}
}

func TestEvaluateWithoutGoLiveCountsEverythingDue(t *testing.T) {
	m := mustModel(t, map[string]string{
		"config.yml": "checklist: {file: small.tsv}\nchecks:\n  - name: backup\n    items: [P1.1.01]\n    tcp: {address: \"127.0.0.1:1\"}\n",
		"small.tsv":  smallTSV,
	})
	st := m.Evaluate([]collector.Result{res("backup", collector.StatusPass, "P1.1.01")}, goLive.Add(-100*24*time.Hour))
	assert.Nil(t, st.GoLive)
	for _, p := range st.Phases {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				assert.True(t, it.Due, it.ID)
				assert.Nil(t, it.DueFrom, it.ID)
			}
		}
	}
	assert.Equal(t, []string{"P1.1.02", "P3.1.01", "SO.1.01"}, st.Blockers)
}

func TestRestrictToPhase(t *testing.T) {
	m := smallModel(t, "")
	st := m.Evaluate([]collector.Result{res("backup", collector.StatusPass, "P1.1.01"), res("restore", collector.StatusPass, "P1.1.02")}, goLive.Add(-time.Hour))
	require.Equal(t, VerdictNoGo, st.Verdict)
	p1 := st.Restrict([]string{"p1"})
	assert.Equal(t, VerdictGo, p1.Verdict, "phase 1 alone has no open blocker")
	require.Len(t, p1.Phases, 1)
	assert.Equal(t, 3, p1.Total)
	so := st.Restrict([]string{"SO"})
	assert.Equal(t, []string{"SO.1.01"}, so.Blockers)

	failing := st.Filter(nil, true)
	var ids []string
	for _, p := range failing.Phases {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				ids = append(ids, it.ID)
			}
		}
	}
	assert.Equal(t, []string{"P1.2.01", "P3.1.01", "SO.1.01"}, ids)
}

func TestCountdown(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{50*time.Hour + 29*time.Minute, "in 2d2h"},
		{3*time.Hour + 5*time.Minute, "in 3h5m"},
		{-90 * time.Second, "1m30s ago"},
		{0, "in 0s"},
	} {
		assert.Equal(t, tc.want, Countdown(goLive.Add(tc.d), goLive), tc.d.String())
	}
}

// BenchmarkEvaluate measures one evaluation of the shipped checklist (279
// items) against 120 check results, as every scrape and board view does.
func BenchmarkEvaluate(b *testing.B) {
	var yml strings.Builder
	yml.WriteString("checklist: {go_live: 2026-12-01T08:00:00Z}\nchecks:\n")
	var results []collector.Result
	for i, it := range Default().Items {
		if it.Kind.Automated() {
			name := fmt.Sprintf("c%d", i)
			fmt.Fprintf(&yml, "  - {name: %s, items: [%s], tcp: {address: \"127.0.0.1:1\"}}\n", name, it.ID)
			results = append(results, collector.Result{Check: name, Status: collector.StatusPass, Items: []string{it.ID}, Start: goLive})
		}
	}
	cfg, err := config.Load([]byte(yml.String()), "bench.yml")
	require.NoError(b, err)
	m, err := New(cfg)
	require.NoError(b, err)
	require.Equal(b, 120, len(results))
	b.ReportAllocs()
	for b.Loop() {
		m.Evaluate(results, goLive)
	}
}

// Every state has a mark of its own, in the table and in Markdown.
func TestMarksAreDistinct(t *testing.T) {
	for name, marks := range map[string]map[State]string{"table": Marks, "markdown": markdownMarks} {
		seen := map[string]State{}
		for _, s := range States {
			m := marks[s]
			require.NotEmpty(t, m, "%s mark of %s", name, s)
			prev, dup := seen[m]
			assert.False(t, dup, "%s: %s and %s share the mark %s", name, prev, s, m)
			seen[m] = s
		}
	}
}

// The built-in due windows are the issue's: Phase 1 two weeks before,
// Phase 2 the final week, Phase 3 go-live day, Phase 4 the first 24 hours,
// Phase 5 the first week, Phase 6 weeks 2-4; every phase of the shipped
// checklist has one.
func TestDefaultWindows(t *testing.T) {
	day := 24 * time.Hour
	cfg, err := config.Load([]byte("checklist: {go_live: 2026-12-01T08:00:00Z}\nchecks:\n  - {name: web, tcp: {address: \"127.0.0.1:1\"}}\n"), "windows.yml")
	require.NoError(t, err)
	m, err := New(cfg)
	require.NoError(t, err)
	for _, tc := range []struct {
		id         string
		start, end time.Duration
	}{
		{"P1.1.01", -14 * day, 0},
		{"P2.1.01", -7 * day, 0},
		{"P3.1.01", -12 * time.Hour, 12 * time.Hour},
		{"P4.1.01", 0, day},
		{"P5.1.01", 0, 7 * day},
		{"P6.1.01", 7 * day, 28 * day},
		{"SO.1.01", -7 * day, 0},
		{"AX.1.01", -7 * day, 0},
		{"AX.3.01", 7 * day, 28 * day},
	} {
		it, ok := m.Checklist.Item(tc.id)
		require.True(t, ok, tc.id)
		from, until, ok := m.Window(it)
		require.True(t, ok, tc.id)
		assert.Equal(t, tc.start, from.Sub(goLive), "start of %s", tc.id)
		assert.Equal(t, tc.end, until.Sub(goLive), "end of %s", tc.id)
		// Before the window: upcoming; from its start on: due.
		assert.Equal(t, StateUpcoming, itemState(t, m.Evaluate(nil, from.Add(-time.Second)), tc.id).State, tc.id)
		assert.True(t, itemState(t, m.Evaluate(nil, from), tc.id).Due, tc.id)
		assert.True(t, itemState(t, m.Evaluate(nil, until.Add(day)), tc.id).Due, "%s still counts after its window", tc.id)
	}
	for _, it := range m.Checklist.Items {
		_, _, ok := m.Window(it)
		assert.True(t, ok, "%s has a window", it.ID)
	}
}

// EvaluateForGoLive judges the checklist at the go-live time without the
// phases that begin at go-live (P4, P5): "are we GO for go-live". Evaluate
// at the same instant counts them as due.
func TestEvaluateForGoLive(t *testing.T) {
	cfg, err := config.Load([]byte("checklist: {go_live: 2026-12-01T08:00:00Z}\nchecks:\n  - {name: web, items: [P4.1.01], tcp: {address: \"127.0.0.1:1\"}}\n"), "golive.yml")
	require.NoError(t, err)
	m, err := New(cfg)
	require.NoError(t, err)
	failing := []collector.Result{res("web", collector.StatusFail, "P4.1.01")}

	at := m.Evaluate(failing, goLive)
	assert.False(t, at.ForGoLive)
	assert.True(t, itemState(t, at, "P4.1.01").Due, "at the go-live instant P4's window has begun")
	assert.True(t, itemState(t, at, "P5.1.01").Due)
	assert.Equal(t, StateFail, itemState(t, at, "P4.1.01").State)
	assert.Contains(t, at.Blockers, "P4.1.01")

	st, err := m.EvaluateForGoLive(failing)
	require.NoError(t, err)
	assert.True(t, st.ForGoLive)
	assert.Equal(t, goLive, st.Now)
	for _, id := range []string{"P1.1.01", "P2.1.01", "P3.1.01", "SO.1.01", "AX.1.01"} {
		assert.True(t, itemState(t, st, id).Due, "%s is due for go-live", id)
	}
	for _, id := range []string{"P4.1.01", "P5.1.01", "P6.1.01", "AX.3.01"} {
		assert.False(t, itemState(t, st, id).Due, "%s begins at or after go-live", id)
	}
	assert.Equal(t, StateFailingEarly, itemState(t, st, "P4.1.01").State)
	assert.NotContains(t, st.Blockers, "P4.1.01")
	assert.Equal(t, []string{"P4.1.01"}, st.FailingEarly)

	noGoLive, err := config.Load([]byte("checks:\n  - {name: web, tcp: {address: \"127.0.0.1:1\"}}\n"), "golive.yml")
	require.NoError(t, err)
	m, err = New(noGoLive)
	require.NoError(t, err)
	_, err = m.EvaluateForGoLive(nil)
	assert.ErrorContains(t, err, "set checklist.go_live")
}
