package checklist

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// State is an item's state.
type State string

// The item states. Attested and missing are for items a person attests:
// attested counts like pass, missing like fail. FailingEarly and Upcoming
// are for items whose window has not begun: failing early when a bound
// check fails already (shown, so nobody learns it on the day, but not
// blocking), upcoming otherwise.
const (
	StatePass         State = "pass"
	StateFail         State = "fail"
	StateUnknown      State = "unknown"
	StateAttested     State = "attested"
	StateMissing      State = "missing"
	StateFailingEarly State = "failing_early"
	StateUpcoming     State = "upcoming"
)

// States lists every state in display order.
var States = []State{StatePass, StateAttested, StateFail, StateMissing, StateUnknown, StateFailingEarly, StateUpcoming}

// OK reports whether the state counts as done: pass or attested.
func (s State) OK() bool { return s == StatePass || s == StateAttested }

// Verdicts.
const (
	VerdictGo   = "GO"
	VerdictNoGo = "NO-GO"
)

// CheckRef is one check bound to an item, with its latest result.
type CheckRef struct {
	Name        string                `json:"name"`
	Status      collector.Status      `json:"status"`
	Reason      collector.Reason      `json:"reason"`
	Message     string                `json:"message,omitempty"`
	LastRun     *time.Time            `json:"last_run,omitempty"`
	DurationSec float64               `json:"duration_seconds"`
	Conditions  []collector.Condition `json:"conditions,omitempty"`
	// Running is true while a run is under way (a background restore
	// test): the status shown is the previous run's.
	Running bool `json:"running,omitempty"`
	// Groups names the test-report groups the item is bound through; the
	// status is then theirs, not the whole check's.
	Groups []string `json:"groups,omitempty"`
	// Kind is the check's kind (its configuration key, e.g. tcp).
	Kind string `json:"kind,omitempty"`
	// Links are where the evidence behind the check is: the check's links
	// from the configuration, then the runbook of its alert when the
	// board knows one.
	Links []Link `json:"links,omitempty"`
}

// Link is one evidence link of a check.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// ItemStatus is one item's evaluated state.
type ItemStatus struct {
	Item
	State   State `json:"state"`
	Due     bool  `json:"due"`
	Blocker bool  `json:"blocker"`
	// DueFrom and DueUntil bound the item's window; nil without a go-live
	// time.
	DueFrom  *time.Time `json:"due_from,omitempty"`
	DueUntil *time.Time `json:"due_until,omitempty"`
	// Reason says in words why the item is not OK (or what it waits for).
	Reason string `json:"reason,omitempty"`
	// Mode is how bound checks combine: all or any.
	Mode   string     `json:"mode,omitempty"`
	Checks []CheckRef `json:"checks,omitempty"`
	// Attestation is the newest attestation of the item, valid or not.
	Attestation *AttestationView `json:"attestation,omitempty"`
	// LastChecked is the newest run of a bound check.
	LastChecked *time.Time `json:"last_checked,omitempty"`
	// StateSince is when the item took its state, from the board's history
	// (absent without one, or before the item's first result).
	StateSince *time.Time `json:"state_since,omitempty"`
}

// VerdictHistory is how the verdict changed, from the board's history.
type VerdictHistory struct {
	// Start is when the history began: nothing is known before it.
	Start time.Time `json:"start"`
	// Since is when the verdict took its current value (its first record
	// when it has not changed since the history began).
	Since time.Time `json:"since"`
	// Previous is the verdict before, from PreviousSince to Since; absent
	// when the history has no change.
	Previous      string     `json:"previous,omitempty"`
	PreviousSince *time.Time `json:"previous_since,omitempty"`
	// Changes are the verdict's values over the last days, oldest first:
	// each from its time to the next one's (the last to now).
	Changes []VerdictChange `json:"changes"`
}

// VerdictChange is the verdict taking a value at a time.
type VerdictChange struct {
	Verdict string    `json:"verdict"`
	At      time.Time `json:"at"`
}

// AttestationView is an attestation as shown.
type AttestationView struct {
	By       string     `json:"by"`
	At       time.Time  `json:"at"`
	Note     string     `json:"note,omitempty"`
	Evidence string     `json:"evidence,omitempty"`
	Expires  *time.Time `json:"expires,omitempty"`
	Valid    bool       `json:"valid"`
}

// SectionStatus is the items of one section of a phase.
type SectionStatus struct {
	Name  string       `json:"name"`
	Items []ItemStatus `json:"items"`
}

// PhaseStatus is one phase of the checklist.
type PhaseStatus struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	DueFrom  *time.Time    `json:"due_from,omitempty"`
	DueUntil *time.Time    `json:"due_until,omitempty"`
	Counts   map[State]int `json:"counts"`
	// Due counts the items whose window has begun; Passing those of them
	// that pass or are attested, Failing the rest (fail, missing, unknown),
	// so Due = Passing + Failing.
	Due      int             `json:"due"`
	Passing  int             `json:"passing"`
	Failing  int             `json:"failing"`
	Sections []SectionStatus `json:"sections"`
}

// SchemaVersion is the version of the JSON document Status is written as
// (check --output=json, /api/v1/status): it changes when a field is
// removed, renamed or changes meaning; new fields may appear within a
// version. docs/checklist.md documents every field and
// docs/check-output.schema.json is its JSON Schema.
const SchemaVersion = 1

// Status is the whole checklist evaluated at one time.
type Status struct {
	// SchemaVersion is SchemaVersion: the version of this document's
	// shape.
	SchemaVersion int `json:"schema_version"`
	// Now is the time the checklist was judged at.
	Now time.Time `json:"now"`
	// GoLive is the configured go-live time.
	GoLive *time.Time `json:"go_live,omitempty"`
	// Verdict is GO or NO-GO.
	Verdict string `json:"verdict"`
	// Ready is true for GO.
	Ready bool `json:"ready"`
	// Blockers are the due blocker items that are not OK, in checklist
	// order.
	Blockers []string `json:"blockers"`
	// FailingEarly are the items not due yet whose bound checks fail, in
	// checklist order: they do not block GO until their window begins.
	FailingEarly []string      `json:"failing_early"`
	Counts       map[State]int `json:"counts"`
	Total        int           `json:"total"`
	Phases       []PhaseStatus `json:"phases"`
	// Checks are the results the status was made from.
	Checks []collector.Result `json:"checks"`
	// AttestationsError says why the attestations file, changed on disk,
	// was not taken (with file:line); the attestations read before keep
	// counting. Empty when the file loaded.
	AttestationsError string `json:"attestations_error,omitempty"`
	// History is how the verdict changed over the last days, from the
	// board's history (absent without one: check output, or before the
	// first complete evaluation).
	History *VerdictHistory `json:"history,omitempty"`
	// CurrentPhase is the phase in effect at Now: of the phases whose
	// window holds Now, the one that began last (the first in checklist
	// order on a tie), so that two days after go-live it is the first week
	// (P5), not the pre-launch phase. Empty without a go-live time or when
	// no window holds Now.
	CurrentPhase string `json:"current_phase,omitempty"`
	// ForGoLive is set when the status answers "are we GO for go-live":
	// judged at the go-live time, with only the items whose window began
	// before it counted as due (see EvaluateForGoLive).
	ForGoLive bool `json:"for_go_live,omitempty"`
	// restricted is set by Restrict: the text output's check table then
	// leaves out checks bound to no item (they belong to no phase).
	restricted bool
}

// Evaluate computes every item's state from check results and the
// attestations at time now, and the verdict. An item is due from the start
// of its window on: at the go-live time itself the phases that start at
// go-live (P4, P5) are due.
func (m *Model) Evaluate(results []collector.Result, now time.Time) *Status {
	return m.evaluate(results, now, false, true)
}

// evaluateSummary is Evaluate without the per-item statuses (the phases
// have no sections): the verdict, the counts, the blockers. The metrics of
// a configuration without a checklist: section need no more, and keeping
// 279 item statuses was most of what a scrape allocated.
func (m *Model) evaluateSummary(results []collector.Result, now time.Time) *Status {
	return m.evaluate(results, now, false, false)
}

// EvaluateForGoLive answers "are we GO for go-live": the checklist judged
// at the go-live time (attestations as valid then), counting as due only the
// items whose window begins before go-live, so the phases that start at
// go-live (P4 First 24 Hours, P5 First Week) are not due yet; what of them
// fails already shows as failing early. It needs a go-live time.
func (m *Model) EvaluateForGoLive(results []collector.Result) (*Status, error) {
	if m.GoLive.IsZero() {
		return nil, errors.New("no go-live time to judge against; set checklist.go_live in the configuration")
	}
	return m.evaluate(results, m.GoLive, true, true), nil
}

// evaluate does the work of Evaluate; with beforeNow only windows that
// begin strictly before now are due; without items the phases get no
// sections.
func (m *Model) evaluate(results []collector.Result, now time.Time, beforeNow, items bool) *Status {
	byCheck := make(map[string]collector.Result, len(results))
	for _, r := range results {
		byCheck[r.Check] = r
	}
	st := &Status{SchemaVersion: SchemaVersion, Now: now, Counts: zeroCounts(), Blockers: []string{}, FailingEarly: []string{}, Checks: results, ForGoLive: beforeNow}
	if !m.GoLive.IsZero() {
		g := m.GoLive
		st.GoLive = &g
	}
	attestations, err := m.Attestations()
	if err != nil {
		st.AttestationsError = err.Error()
	}
	phaseIdx := map[string]int{}
	var sizes []int
	if items {
		sizes = sectionSizes(m.Checklist.Items)
	}
	for i, it := range m.Checklist.Items {
		is := m.evalItem(it, byCheck, attestations, now, beforeNow)
		st.Counts[is.State]++
		st.Total++
		if is.Due && is.Blocker && !is.State.OK() {
			st.Blockers = append(st.Blockers, it.ID)
		}
		if is.State == StateFailingEarly {
			st.FailingEarly = append(st.FailingEarly, it.ID)
		}
		pi, ok := phaseIdx[it.Phase]
		if !ok {
			pi = len(st.Phases)
			phaseIdx[it.Phase] = pi
			ps := PhaseStatus{ID: it.Phase, Title: m.Checklist.PhaseTitle(it.Phase), Counts: zeroCounts()}
			if w, _, ok := m.cfg.Checklist.WindowFor(it.Phase); ok && !m.GoLive.IsZero() {
				from, until := m.GoLive.Add(time.Duration(w.Start)), m.GoLive.Add(time.Duration(w.End))
				ps.DueFrom, ps.DueUntil = &from, &until
			}
			st.Phases = append(st.Phases, ps)
		}
		ps := &st.Phases[pi]
		ps.Counts[is.State]++
		if is.Due {
			ps.Due++
			if is.State.OK() {
				ps.Passing++
			} else {
				ps.Failing++
			}
		}
		if !items {
			continue
		}
		if n := len(ps.Sections); n == 0 || ps.Sections[n-1].Name != it.Section {
			ps.Sections = append(ps.Sections, SectionStatus{Name: it.Section, Items: make([]ItemStatus, 0, sizes[i])})
		}
		sec := &ps.Sections[len(ps.Sections)-1]
		sec.Items = append(sec.Items, is)
	}
	st.Ready = len(st.Blockers) == 0
	st.Verdict = VerdictNoGo
	if st.Ready {
		st.Verdict = VerdictGo
	}
	st.CurrentPhase = currentPhase(st.Phases, now)
	return st
}

// sectionSizes says, for each item that opens a section of its phase in
// evaluate, how many items that section gets (0 for the others): each
// section's item statuses are then allocated once, at their size, rather
// than grown by append (most of what an evaluation allocated).
func sectionSizes(items []Item) []int {
	sizes := make([]int, len(items))
	opener := map[string]int{} // phase -> the item that opened its last section
	for i, it := range items {
		j, ok := opener[it.Phase]
		if !ok || items[j].Section != it.Section {
			j = i
			opener[it.Phase] = i
		}
		sizes[j]++
	}
	return sizes
}

// currentPhase is the phase in effect at now (see Status.CurrentPhase).
func currentPhase(phases []PhaseStatus, now time.Time) string {
	var cur *PhaseStatus
	for i := range phases {
		p := &phases[i]
		if p.DueFrom == nil || p.DueUntil == nil || now.Before(*p.DueFrom) || !now.Before(*p.DueUntil) {
			continue
		}
		if cur == nil || p.DueFrom.After(*cur.DueFrom) {
			cur = p
		}
	}
	if cur == nil {
		return ""
	}
	return cur.ID
}

func zeroCounts() map[State]int {
	m := map[State]int{}
	for _, s := range States {
		m[s] = 0
	}
	return m
}

func (m *Model) evalItem(it Item, byCheck map[string]collector.Result, attestations map[string][]Attestation, now time.Time, beforeNow bool) ItemStatus {
	is := ItemStatus{Item: it, Blocker: m.IsBlocker(it), Due: true}
	if from, until, ok := m.Window(it); ok {
		is.DueFrom, is.DueUntil = &from, &until
		is.Due = !now.Before(from)
		if beforeNow {
			is.Due = from.Before(now)
		}
	}
	// The checks' verdict.
	checkState, checkReason := StateUnknown, ""
	names := m.bindings[it.ID]
	if len(names) > 0 {
		is.Mode = m.cfg.Checklist.ModeFor(it.ID)
		var refs []CheckRef
		for _, n := range names {
			ref := CheckRef{Name: n, Status: collector.StatusUnknown, Reason: collector.ReasonNotRunYet}
			if c := m.cfg.CheckByName(n); c != nil {
				ref.Kind = c.Kind()
				for _, l := range c.Links {
					ref.Links = append(ref.Links, Link{Title: l.Title, URL: l.URL})
				}
			}
			if r, ok := byCheck[n]; ok {
				ref.Status, ref.Reason, ref.Message, ref.Conditions, ref.DurationSec = r.Status, r.Reason, r.Message, r.Conditions, r.DurationSec
				ref.Running = r.Running
				if r.DurationSec == 0 {
					ref.DurationSec = r.Duration.Seconds()
				}
				if !r.Start.IsZero() {
					t := r.Start
					ref.LastRun = &t
					if is.LastChecked == nil || t.After(*is.LastChecked) {
						is.LastChecked = &t
					}
				}
			}
			if groups := m.groups[groupKey{it.ID, n}]; len(groups) > 0 {
				narrowToGroups(&ref, groups, byCheck[n])
			}
			refs = append(refs, ref)
		}
		is.Checks = refs
		checkState, checkReason = combine(refs, is.Mode)
	}
	// The newest attestation, and whether it counts now.
	var att *Attestation
	if as := attestations[it.ID]; len(as) > 0 {
		for i := range as {
			if !as[i].At.After(now) {
				att = &as[i]
				break
			}
		}
		if att == nil {
			att = &as[len(as)-1]
		}
		v := &AttestationView{By: att.By, At: att.At, Note: att.Note, Evidence: att.Evidence, Valid: att.ValidAt(now)}
		if exp := att.ExpiresAt(); !exp.IsZero() {
			v.Expires = &exp
		}
		is.Attestation = v
	}
	attested := is.Attestation != nil && is.Attestation.Valid

	// A failing check is never hidden by an attestation; an attestation
	// stands in where no check has a verdict (manual items, or automated
	// items not bound yet).
	switch {
	case checkState == StatePass:
		is.State = StatePass
	case checkState == StateFail:
		is.State, is.Reason = StateFail, checkReason
	case attested:
		is.State = StateAttested
	case len(names) > 0 && it.Kind.Automated():
		is.State, is.Reason = StateUnknown, checkReason
	case it.Kind.Automated():
		is.State, is.Reason = StateUnknown, "no check bound; list its id under a check's items in the config"
	default:
		is.State = StateMissing
		is.Reason = "not attested; add it to the attestations file"
		if att != nil && !is.Attestation.Valid {
			if att.At.After(now) {
				is.Reason = fmt.Sprintf("attestation by %s is dated in the future (%s)", att.By, att.At.UTC().Format(time.RFC3339))
			} else {
				is.Reason = fmt.Sprintf("attestation by %s expired at %s", att.By, att.ExpiresAt().UTC().Format(time.RFC3339))
			}
		}
		if checkReason != "" {
			is.Reason = checkReason + "; " + is.Reason
		}
	}
	switch {
	case is.Due || is.State.OK():
	case is.State == StateFail:
		// Before its window a failing check does not block, but it shows:
		// better learnt now than on the day. The reason stays the checks'.
		is.State = StateFailingEarly
	default:
		// Not failing, and nothing is expected of it yet.
		is.State = StateUpcoming
		is.Reason = ""
		if is.DueFrom != nil {
			is.Reason = "due from " + is.DueFrom.UTC().Format(time.RFC3339)
		}
	}
	return is
}

// narrowToGroups gives ref the verdict of the groups an item is bound
// through: the item passes when its groups' conditions hold, whatever the
// rest of the report says. A report that could not be judged at all (not
// found, unreadable, stale) still fails the item with the check's reason,
// and so does a result without the groups' conditions.
func narrowToGroups(ref *CheckRef, groups []config.TestGroup, r collector.Result) {
	for _, g := range groups {
		ref.Groups = append(ref.Groups, g.Name)
	}
	if ref.Status == collector.StatusUnknown || (ref.Status == collector.StatusFail && ref.Reason != collector.ReasonConditionFailed) {
		return
	}
	var conds []collector.Condition
	for _, g := range groups {
		i := slices.IndexFunc(r.Conditions, func(c collector.Condition) bool { return c.Name == g.ConditionName() })
		if i < 0 {
			return // not the check's result of these groups: keep its verdict
		}
		conds = append(conds, r.Conditions[i])
	}
	ref.Conditions = conds
	ref.Status, ref.Reason, ref.Message = collector.StatusPass, collector.ReasonNone, ""
	for _, c := range conds {
		if !c.OK {
			ref.Status, ref.Reason = collector.StatusFail, collector.ReasonConditionFailed
			ref.Message = fmt.Sprintf("%s: observed %s, expected %s", c.Name, c.Observed, c.Expected)
			return
		}
	}
}

// combine turns the results of an item's checks into one state: with mode
// all every check must pass; with any one passing check is enough. A check
// that has not run yet leaves the item unknown unless the others decide it.
func combine(refs []CheckRef, mode string) (State, string) {
	var failed, unknown []string
	passed := 0
	for _, r := range refs {
		switch r.Status {
		case collector.StatusPass, collector.StatusWarn:
			passed++
		case collector.StatusFail:
			failed = append(failed, failText(r))
		default:
			unknown = append(unknown, r.Name)
		}
	}
	unknownText := ""
	if len(unknown) > 0 {
		unknownText = "no result yet from " + strings.Join(unknown, ", ")
	}
	if mode == config.ModeAny {
		switch {
		case passed > 0:
			return StatePass, ""
		case len(unknown) > 0:
			return StateUnknown, unknownText
		default:
			return StateFail, strings.Join(failed, "; ")
		}
	}
	switch {
	case len(failed) > 0:
		return StateFail, strings.Join(failed, "; ")
	case len(unknown) > 0:
		return StateUnknown, unknownText
	default:
		return StatePass, ""
	}
}

func failText(r CheckRef) string {
	msg := strings.Join(strings.Fields(r.Message), " ")
	if msg == "" {
		return fmt.Sprintf("%s: %s", r.Name, r.Reason)
	}
	return fmt.Sprintf("%s: %s: %s", r.Name, r.Reason, msg)
}

// Filter returns a copy of st with only the phases in phases (all when
// empty) and, when failing is set, only the items in a Failing state.
func (st *Status) Filter(phases []string, failing bool) *Status {
	out := *st
	out.Phases = nil
	for _, p := range st.Phases {
		if len(phases) > 0 && !containsFold(phases, p.ID) {
			continue
		}
		np := p
		np.Sections = nil
		for _, s := range p.Sections {
			ns := SectionStatus{Name: s.Name}
			for _, it := range s.Items {
				if failing && !Failing(it.State) {
					continue
				}
				ns.Items = append(ns.Items, it)
			}
			if len(ns.Items) > 0 {
				np.Sections = append(np.Sections, ns)
			}
		}
		out.Phases = append(out.Phases, np)
	}
	return &out
}

// Failing reports the states the "failing only" filter keeps: failed checks
// (also of items not due yet), missing attestations and items without a
// result.
func Failing(s State) bool {
	return s == StateFail || s == StateMissing || s == StateUnknown || s == StateFailingEarly
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
