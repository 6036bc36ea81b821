package checklist

import (
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const groupsTSV = "id\tphase\tsection\tgroup\titem\tautomation\thow_it_is_verified\n" +
	"P1.1.06\tP1\tInfrastructure Verification\tSystem Performance\tAll e2e tests passing\treport\tJUnit\n" +
	"P1.4.21\tP1\tTesting Verification\tBrowser Compatibility\tChrome/Chromium tested\treport\tPlaywright project\n" +
	"P1.4.22\tP1\tTesting Verification\tBrowser Compatibility\tFirefox tested\treport\tPlaywright project\n" +
	"P1.4.23\tP1\tTesting Verification\tBrowser Compatibility\tAll desktop browsers tested\treport\tPlaywright projects\n"

// The check proves P1.1.06 with its whole verdict; its groups prove the
// browser items each with their own. P1.1.06 is listed by a group too: the
// check's own binding wins. P1.4.23 needs both groups.
const groupsConfig = `checklist: {file: small.tsv}
checks:
  - name: e2e
    items: [P1.1.06]
    junit:
      paths: [results.xml]
      groups:
        - {name: chrome, items: [P1.4.21, P1.4.23], match: {project: '^chromium$'}}
        - {name: firefox, items: [P1.4.22, P1.4.23, P1.1.06], match: {project: '^firefox$'}}
`

// Condition names as the report check writes them: "group NAME (ITEMS)".
const (
	chromeCond  = "group chrome (P1.4.21, P1.4.23)"
	firefoxCond = "group firefox (P1.4.22, P1.4.23, P1.1.06)"
)

func e2eResult(status collector.Status, reason collector.Reason, message string, conds ...collector.Condition) collector.Result {
	return collector.Result{Check: "e2e", Kind: "junit", Status: status, Reason: reason, Message: message,
		Items: []string{"P1.1.06"}, Start: goLive.Add(-time.Hour), Conditions: conds}
}

// TestGroupItemsHaveTheirGroupsVerdict: an item bound through a test-report
// group passes or fails with that group's condition, not with the whole
// report; a report that could not be judged fails it with the check's
// reason.
func TestGroupItemsHaveTheirGroupsVerdict(t *testing.T) {
	m := mustModel(t, map[string]string{"config.yml": groupsConfig, "small.tsv": groupsTSV})
	assert.Equal(t, []string{"e2e"}, m.Checks("P1.4.21"))
	assert.Equal(t, []string{"e2e"}, m.Checks("P1.1.06"))

	chromeOK := collector.Condition{Name: chromeCond, OK: true, Observed: "2 passed", Expected: ">= 1 cases, none failed or error"}
	firefoxBad := collector.Condition{Name: firefoxCond, OK: false, Observed: "1 passed, 1 failed", Expected: ">= 1 cases, none failed or error"}
	firefoxOK := collector.Condition{Name: firefoxCond, OK: true, Observed: "2 passed", Expected: ">= 1 cases, none failed or error"}
	failing := collector.Condition{Name: "no failing cases", OK: false, Observed: "1 failed, 0 error", Expected: "<= 0 failed or error"}

	tests := []struct {
		name    string
		results []collector.Result
		states  map[string]State
		reasons map[string]string
	}{
		{
			name: "firefox fails: the chrome item passes, the items needing firefox fail",
			results: []collector.Result{e2eResult(collector.StatusFail, collector.ReasonConditionFailed,
				"no failing cases: observed 1 failed, 0 error, expected <= 0 failed or error", failing, chromeOK, firefoxBad)},
			states: map[string]State{"P1.4.21": StatePass, "P1.4.22": StateFail, "P1.4.23": StateFail, "P1.1.06": StateFail},
			reasons: map[string]string{
				"P1.4.22": "e2e: condition_failed: group firefox (P1.4.22, P1.4.23, P1.1.06): observed 1 passed, 1 failed, expected >= 1 cases, none failed or error",
				"P1.4.23": "group firefox",
				"P1.1.06": "e2e: condition_failed: no failing cases",
			},
		},
		{
			name:    "every group passes: so do their items, while the check's own item fails",
			results: []collector.Result{e2eResult(collector.StatusFail, collector.ReasonConditionFailed, "no failing cases: observed 1 failed", failing, chromeOK, firefoxOK)},
			states:  map[string]State{"P1.4.21": StatePass, "P1.4.22": StatePass, "P1.4.23": StatePass, "P1.1.06": StateFail},
		},
		{
			name: "a stale report fails every item, groups or not",
			results: []collector.Result{e2eResult(collector.StatusFail, collector.ReasonStale,
				"newest test run is from 2026-11-20T08:00:00Z", chromeOK, firefoxOK)},
			states:  map[string]State{"P1.4.21": StateFail, "P1.4.22": StateFail, "P1.4.23": StateFail, "P1.1.06": StateFail},
			reasons: map[string]string{"P1.4.21": "e2e: stale: newest test run"},
		},
		{
			name:    "an unreadable report (no group conditions) fails the group items",
			results: []collector.Result{e2eResult(collector.StatusFail, collector.ReasonInvalidResponse, "1 of 1 JUnit XML files unreadable: truncated XML")},
			states:  map[string]State{"P1.4.21": StateFail, "P1.4.23": StateFail},
			reasons: map[string]string{"P1.4.21": "e2e: invalid_response: 1 of 1 JUnit XML files unreadable"},
		},
		{
			name:    "not run yet: unknown",
			results: nil,
			states:  map[string]State{"P1.4.21": StateUnknown, "P1.1.06": StateUnknown},
		},
		{
			name:    "a passing check with a flaky warning passes its groups' items",
			results: []collector.Result{e2eResult(collector.StatusWarn, collector.ReasonNone, "no flaky cases: observed 1 flaky", chromeOK, firefoxOK)},
			states:  map[string]State{"P1.4.21": StatePass, "P1.4.22": StatePass, "P1.1.06": StatePass},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := m.Evaluate(tt.results, goLive)
			for id, want := range tt.states {
				it := itemState(t, st, id)
				assert.Equal(t, want, it.State, "%s: %s", id, it.Reason)
			}
			for id, want := range tt.reasons {
				assert.Contains(t, itemState(t, st, id).Reason, want, id)
			}
		})
	}

	// The item's check reference says which groups decided, and carries
	// only their conditions.
	st := m.Evaluate([]collector.Result{e2eResult(collector.StatusFail, collector.ReasonConditionFailed, "", failing, chromeOK, firefoxBad)}, goLive)
	ref := itemState(t, st, "P1.4.23").Checks
	require.Len(t, ref, 1)
	assert.Equal(t, []string{"chrome", "firefox"}, ref[0].Groups)
	assert.Equal(t, []collector.Condition{chromeOK, firefoxBad}, ref[0].Conditions)
	own := itemState(t, st, "P1.1.06").Checks
	require.Len(t, own, 1)
	assert.Empty(t, own[0].Groups, "bound by the check's own items")
	assert.Len(t, own[0].Conditions, 3)
}

func TestGroupItemNotInChecklist(t *testing.T) {
	cfg, err := fixture(t, map[string]string{
		"config.yml": "checklist: {file: small.tsv}\nchecks:\n  - name: e2e\n    junit:\n      paths: [r.xml]\n      groups:\n        - {name: edge, items: [P1.4.24], match: {project: msedge}}\n",
		"small.tsv":  groupsTSV,
	})
	if err == nil {
		_, err = New(cfg)
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), `checks[0].junit.groups[0].items[0]: item "P1.4.24" of group edge of check "e2e" is not in the checklist`)
	assert.Contains(t, err.Error(), "config.yml:", "positioned at a line")
}
