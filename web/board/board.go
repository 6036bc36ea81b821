// Package board renders the readiness board at / of the exporter: the
// verdict, a countdown to go-live, every phase with its items and states,
// failure reasons, last-checked times and attestations, with filters; and
// the same data as JSON for scripts. Everything is server-rendered with
// html/template (so every value from configs, attestations and servers is
// escaped) and every asset is embedded: the page works offline.
package board

import (
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/human"
	"github.com/golive/golive_exporter/rules"
)

//go:embed assets/board.html
var pageHTML string

//go:embed assets/board.css
var pageCSS string

//go:embed assets/board.js
var pageJS string

// DefaultRefresh is how often the page reloads itself.
const DefaultRefresh = 30 * time.Second

// Options configure a Board.
type Options struct {
	// Now is the clock (time.Now when nil); tests inject theirs.
	Now func() time.Time
	// MetricsPath is linked from the page.
	MetricsPath string
	// Refresh is how often the page reloads (DefaultRefresh when 0).
	Refresh time.Duration
	// History, when set, records every evaluation the board makes and
	// gives the page and the JSON each item's "since" and the verdict's
	// changes. Share one History between the boards of successive
	// configurations (and the scrapes: RecordFrom).
	History *History
	// RunbookBase, when set, adds to every check the runbook of the alert
	// its failure fires (RunbookBase + "<alert>.md"), after the check's
	// own links.
	RunbookBase string
}

// failingAlerts maps check kinds to the alert their failure fires, read
// once from the rule bundle.
var failingAlerts = sync.OnceValue(func() map[string]string {
	m, err := rules.FailingAlerts()
	if err != nil {
		// The bundle is embedded and tested; without it there is no
		// runbook to link, and nothing else changes.
		return nil
	}
	return m
})

// addRunbooks adds the runbook link of each bound check's alert to st.
func (b *Board) addRunbooks(st *checklist.Status) {
	if b.opts.RunbookBase == "" {
		return
	}
	alerts := failingAlerts()
	for pi := range st.Phases {
		for si := range st.Phases[pi].Sections {
			items := st.Phases[pi].Sections[si].Items
			for ii := range items {
				checks := slices.Clone(items[ii].Checks)
				for ci := range checks {
					if alert, ok := alerts[checks[ci].Kind]; ok {
						checks[ci].Links = append(slices.Clip(checks[ci].Links), checklist.Link{Title: "runbook", URL: rules.RunbookURL(b.opts.RunbookBase, alert)})
					}
				}
				items[ii].Checks = checks
			}
		}
	}
}

// Board implements web.Board for a checklist model.
type Board struct {
	model *checklist.Model
	opts  Options
}

// New returns the board of m.
func New(m *checklist.Model, opts Options) *Board {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MetricsPath == "" {
		opts.MetricsPath = "/metrics"
	}
	if opts.Refresh <= 0 {
		opts.Refresh = DefaultRefresh
	}
	return &Board{model: m, opts: opts}
}

var tmpl = template.Must(template.New("board").Funcs(template.FuncMap{
	"time": func(t time.Time) string { return t.UTC().Format(checklist.TimeFormat) },
	"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"ago": func(t, now time.Time) string {
		if d := now.Sub(t); d < time.Minute && d > -time.Minute {
			return "just now"
		}
		return checklist.Countdown(t, now)
	},
	"countdown":   checklist.Countdown,
	"mark":        func(s checklist.State) string { return checklist.Marks[s] },
	"counts":      checklist.CountsText,
	"unixms":      func(t time.Time) int64 { return t.UnixMilli() },
	"blocking":    blocking,
	"nonblocking": nonblocking,
	"folded":      func(items []checklist.ItemStatus) []checklist.ItemStatus { return splitFolded(items, true) },
	"unfolded":    func(items []checklist.ItemStatus) []checklist.ItemStatus { return splitFolded(items, false) },
	"row":         func(it checklist.ItemStatus, now time.Time) rowData { return rowData{ItemStatus: it, Now: now} },
	"reason":      reasonLine,
	"since":       itemSince,
	"x":           func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
}).Parse(pageHTML))

// rowData is what an item's row is drawn from.
type rowData struct {
	checklist.ItemStatus
	Now time.Time
}

// blocking reports whether it keeps the verdict at NO-GO.
func blocking(it checklist.ItemStatus) bool { return it.Blocker && it.Due && !it.State.OK() }

// nonblocking reports whether it is due and not OK but does not block GO
// (no blocker): the page draws it amber with "not blocking", not red, so
// that a GO page looks GO. Items not due have their own states
// (upcoming, failing_early).
func nonblocking(it checklist.ItemStatus) bool {
	switch it.State {
	case checklist.StateFail, checklist.StateMissing, checklist.StateUnknown:
		return !blocking(it)
	}
	return false
}

// splitFolded returns the items folded into a section's group of missing
// attestations that do not block (folded true), or the others.
func splitFolded(items []checklist.ItemStatus, folded bool) []checklist.ItemStatus {
	var out []checklist.ItemStatus
	for _, it := range items {
		if (it.State == checklist.StateMissing && !blocking(it)) == folded {
			out = append(out, it)
		}
	}
	return out
}

// reasonLine is the item's reason as the page shows it under the item's
// text, or "" when there is none to show: an upcoming item shows its due
// time instead, and a failed item whose failed checks all failed on
// conditions has those conditions listed under each check line, so its
// reason (check: condition_failed: the first failed condition) would say
// again what the page already shows; so has an item failing early. A check that failed otherwise
// (connection refused, a timeout) has its message only in the reason, which
// then stays.
func reasonLine(it checklist.ItemStatus) string {
	if it.State == checklist.StateUpcoming {
		return ""
	}
	if (it.State == checklist.StateFail || it.State == checklist.StateFailingEarly) && conditionsShowFailures(it.Checks) {
		return ""
	}
	return it.Reason
}

// conditionsShowFailures reports whether every failed check of refs failed
// on a condition the check line lists (a failed condition that is not a
// mere warning: the one the check's message names).
func conditionsShowFailures(refs []checklist.CheckRef) bool {
	for _, r := range refs {
		if r.Status != collector.StatusFail {
			continue
		}
		// The failed condition gives the check's reason: condition_failed,
		// or its own (stale, tls, auth).
		onCondition := slices.ContainsFunc(r.Conditions, func(c collector.Condition) bool {
			return !c.OK && !c.Warning && (r.Reason == collector.ReasonConditionFailed || c.Reason == r.Reason)
		})
		if !onCondition {
			return false
		}
	}
	return true
}

// filterLink is one filter choice on the page.
type filterLink struct {
	Label  string
	URL    string
	Active bool
	// Current marks the phase in effect.
	Current bool
}

type pageData struct {
	Status  *checklist.Status
	Full    *checklist.Status
	Nonce   string
	CSS     template.CSS
	JS      template.JS
	Refresh int
	Metrics string
	Failing bool
	Phase   string
	Filters []filterLink
	Phases  []filterLink
	Empty   bool
	APIURL  string
	// Blockers are the open blockers with why each blocks, the page's
	// first section.
	Blockers []blockerRow
	// BlockersOnly is the ?blockers=1 view: the verdict and the blockers,
	// nothing else.
	BlockersOnly bool
	// TV is the ?tv=1 view for a wall screen: large type, no controls.
	TV bool
	// RefreshContent is the meta refresh: the period and the page's own
	// URL with its filters, so a reload keeps them.
	RefreshContent string
	// TVURL is this view in TV mode.
	TVURL string
	// ItemLink prefixes the blockers' links to item rows: "" on the whole
	// board, the whole board's URL in the blockers-only view.
	ItemLink string
	// EarlyItems are the items failing early (not due, a check fails), in
	// the phase shown when ?phase= is set.
	EarlyItems []checklist.ItemStatus
	// Phases to draw, the phase in effect first.
	ShownPhases []checklist.PhaseStatus
	// Clock is the T− / T+ clock (nil without a go-live time).
	Clock *clock
	// Rotation is TV mode's turn through the phases (nil when not
	// rotating).
	Rotation *rotation
	// VerdictLine says since when the verdict holds (nil without a
	// history); Timeline draws its last days.
	VerdictLine *verdictLine
	Timeline    *timeline
}

// clock is the T− / T+ clock as the page shows it before its script ticks
// it: its class (before go-live; after it, live-go or live-nogo: after
// go-live a GO is calm, a NO-GO an alarm), its text and its words.
type clock struct {
	Class, Text, Label string
}

// newClock is the clock at now for go-live at goLive.
func newClock(goLive, now time.Time, ready bool) *clock {
	if now.Before(goLive) {
		return &clock{Class: "countdown before", Text: "T− " + clockText(goLive.Sub(now)), Label: "until go-live"}
	}
	c := &clock{Class: "countdown live-go", Text: "T+ " + clockText(now.Sub(goLive)), Label: "live since go-live · GO"}
	if !ready {
		c.Class, c.Label = "countdown live-nogo", "live since go-live · NO-GO"
	}
	return c
}

// clockText writes d as the script does: "1d 02:03:04", "02:03:04".
func clockText(d time.Duration) string {
	s := int64(d / time.Second)
	days, h, m := s/86400, s%86400/3600, s%3600/60
	s %= 60
	t := fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	if days > 0 {
		t = fmt.Sprintf("%dd %s", days, t)
	}
	return t
}

// rotation is the phase TV mode shows on this reload and the next one.
type rotation struct {
	Phase, Next string
	// Index counts from 1 among Of phases.
	Index, Of int
}

// newRotation picks the phase to show: at, when it takes turns, else the
// first (the phase in effect first, then checklist order). Only phases
// with something to show under the failing filter take turns; nil when
// none has.
func newRotation(full *checklist.Status, at string, failing bool) *rotation {
	var ids []string
	for _, p := range currentFirst(full.Filter(nil, failing).Phases, full.CurrentPhase) {
		if len(p.Sections) > 0 {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	i := max(0, slices.IndexFunc(ids, func(id string) bool { return strings.EqualFold(id, at) }))
	return &rotation{Phase: ids[i], Next: ids[(i+1)%len(ids)], Index: i + 1, Of: len(ids)}
}

// currentFirst returns phases with the phase id first, the others in
// their order.
func currentFirst(phases []checklist.PhaseStatus, id string) []checklist.PhaseStatus {
	i := slices.IndexFunc(phases, func(p checklist.PhaseStatus) bool { return p.ID == id })
	if i <= 0 {
		return phases
	}
	out := make([]checklist.PhaseStatus, 0, len(phases))
	out = append(out, phases[i])
	out = append(out, phases[:i]...)
	return append(out, phases[i+1:]...)
}

// blockerRow is one open blocker as the blockers list shows it: the item
// and the bound checks that do not pass (none when the item has no check
// or waits for an attestation: its reason then says why).
type blockerRow struct {
	checklist.ItemStatus
	Failing []failingCheck
}

// failingCheck is a bound check that does not pass, with its message cut
// short for the list (Full keeps it for the tooltip).
type failingCheck struct {
	Name    string
	Links   []checklist.Link
	Status  collector.Status
	Reason  collector.Reason
	Message string
	Full    string
}

// maxMessage is how many characters of a check's message the blockers
// list shows: enough for "dial tcp host:port: connect: connection
// refused", short enough that one verbose answer does not push the other
// blockers off the screen.
const maxMessage = 140

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func newBlockerRow(it checklist.ItemStatus) blockerRow {
	row := blockerRow{ItemStatus: it}
	for _, c := range it.Checks {
		if c.Status == collector.StatusPass || c.Status == collector.StatusWarn {
			continue
		}
		row.Failing = append(row.Failing, failingCheck{Name: c.Name, Links: c.Links, Status: c.Status, Reason: c.Reason,
			Message: shorten(c.Message, maxMessage), Full: c.Message})
	}
	return row
}

// truthy reads a flag parameter: 1, true, yes or on.
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// query reads the filters from the request: phase=P1 and failing=1.
func query(r *http.Request) (phase string, failing bool) {
	q := r.URL.Query()
	return strings.TrimSpace(q.Get("phase")), truthy(q.Get("failing"))
}

func link(phase string, failing bool) string { return viewLink(phase, failing, false, false) }

// viewLink is the page's URL for the given filters and views.
func viewLink(phase string, failing, blockers, tv bool) string {
	v := url.Values{}
	if phase != "" {
		v.Set("phase", phase)
	}
	if failing {
		v.Set("failing", "1")
	}
	if blockers {
		v.Set("blockers", "1")
	}
	if tv {
		v.Set("tv", "1")
	}
	if len(v) == 0 {
		return "./"
	}
	return "?" + v.Encode()
}

// evaluate judges the checklist on results now, with the history and
// the runbook links.
func (b *Board) evaluate(results []collector.Result) *checklist.Status {
	st := b.model.Evaluate(results, b.opts.Now())
	b.opts.History.Record(st)
	b.opts.History.Annotate(st)
	b.addRunbooks(st)
	return st
}

// Exporter is the checklist's metrics exporter for the scrapes, recording
// each scrape's evaluation into the board's history.
func (b *Board) Exporter() collector.ResultExporter {
	var observe func(*checklist.Status)
	if b.opts.History != nil {
		observe = b.opts.History.Record
	}
	return b.model.ExporterObserved(b.opts.Now, observe)
}

// TimelineWindow is how far back the board draws the verdict's timeline.
const TimelineWindow = 3 * 24 * time.Hour

// sinceView is an item's "failing since 09:12" or "passing for 3d2h".
type sinceView struct {
	Words string
	At    time.Time
	When  string
}

// shortTime is a time of day within a day of now, else the date too.
func shortTime(t, now time.Time) string {
	if d := now.Sub(t); d < 20*time.Hour && d > -time.Hour {
		return t.UTC().Format("15:04")
	}
	return t.UTC().Format("Jan 2 15:04")
}

var sinceWords = map[checklist.State]string{
	checklist.StateFail:         "failing since",
	checklist.StateMissing:      "missing since",
	checklist.StateUnknown:      "unknown since",
	checklist.StateFailingEarly: "failing early since",
}

// itemSince is what the page says of how long it has been in its state;
// nil without a history or for an upcoming item.
func itemSince(it checklist.ItemStatus, now time.Time) *sinceView {
	if it.StateSince == nil {
		return nil
	}
	at := *it.StateSince
	switch it.State {
	case checklist.StatePass:
		return &sinceView{Words: "passing for", At: at, When: human.Duration(now.Sub(at))}
	case checklist.StateAttested:
		return &sinceView{Words: "attested for", At: at, When: human.Duration(now.Sub(at))}
	}
	if w, ok := sinceWords[it.State]; ok {
		return &sinceView{Words: w, At: at, When: shortTime(at, now)}
	}
	return nil
}

// verdictLine is "NO-GO since 10:42, was GO for 2h" (Flip when a GO
// turned NO-GO: the page makes it an alert).
type verdictLine struct {
	Text string
	At   time.Time
	Flip bool
}

func newVerdictLine(st *checklist.Status) *verdictLine {
	h := st.History
	if h == nil {
		return nil
	}
	l := &verdictLine{Text: st.Verdict + " since " + shortTime(h.Since, st.Now), At: h.Since}
	if h.Previous != "" && h.PreviousSince != nil {
		l.Text += ", was " + h.Previous + " for " + human.Duration(h.Since.Sub(*h.PreviousSince))
		l.Flip = h.Previous == checklist.VerdictGo && !st.Ready
	} else if !h.Since.After(h.Start.Add(time.Minute)) {
		l.Text += " (the history began then)"
	}
	return l
}

// timeline is the verdict over the last TimelineWindow, drawn as an SVG
// bar (x from 0 to 1000) and listed in words.
type timeline struct {
	Segments []segment
	// Changes are the changes within the window, newest first, in words.
	Changes []timelineChange
	From    time.Time
}

type segment struct {
	Class   string
	X, W    float64
	Title   string
	Verdict string
}

type timelineChange struct {
	Verdict string
	At      time.Time
	When    string
	For     string
}

func newTimeline(st *checklist.Status) *timeline {
	h := st.History
	if h == nil || len(h.Changes) == 0 {
		return nil
	}
	now := st.Now
	from := now.Add(-TimelineWindow)
	x := func(t time.Time) float64 {
		if t.Before(from) {
			t = from
		}
		return float64(t.Sub(from)) / float64(TimelineWindow) * 1000
	}
	tl := &timeline{From: from}
	if h.Start.After(from) {
		tl.Segments = append(tl.Segments, segment{Class: "none", X: 0, W: x(h.Start), Verdict: "no history", Title: "no history before " + shortTime(h.Start, now)})
	}
	for i, c := range h.Changes {
		end := now
		if i+1 < len(h.Changes) {
			end = h.Changes[i+1].At
		}
		if !end.After(from) {
			continue
		}
		class := "nogo"
		if c.Verdict == checklist.VerdictGo {
			class = "go"
		}
		dur := human.Duration(end.Sub(c.At))
		tl.Segments = append(tl.Segments, segment{Class: class, X: x(c.At), W: x(end) - x(c.At), Verdict: c.Verdict,
			Title: c.Verdict + " from " + shortTime(c.At, now) + " for " + dur})
		if !c.At.Before(from) {
			tl.Changes = append([]timelineChange{{Verdict: c.Verdict, At: c.At, When: shortTime(c.At, now), For: dur}}, tl.Changes...)
		}
	}
	if len(tl.Changes) > 12 {
		tl.Changes = tl.Changes[:12]
	}
	return tl
}

// ServeBoard renders the page.
func (b *Board) ServeBoard(w http.ResponseWriter, r *http.Request, results []collector.Result) {
	full := b.evaluate(results)
	phase, failing := query(r)
	q := r.URL.Query()
	tv, blockersOnly := truthy(q.Get("tv")), truthy(q.Get("blockers"))
	// TV mode without a phase rotates: one phase per reload, the phase in
	// effect first; rotate=1 in the URL says the phase named was reached
	// by rotating, not pinned.
	var rot *rotation
	if tv && !blockersOnly && (phase == "" || truthy(q.Get("rotate"))) {
		rot = newRotation(full, phase, failing)
		if rot != nil {
			phase = rot.Phase
		}
	}
	var phases []string
	if phase != "" {
		phases = []string{phase}
	}
	shown := full.Filter(phases, failing)
	nonce := newNonce()
	d := pageData{
		Status:  shown,
		Full:    full,
		Nonce:   nonce,
		CSS:     template.CSS(pageCSS),
		JS:      template.JS(pageJS),
		Refresh: int(b.opts.Refresh.Seconds()),
		Metrics: b.opts.MetricsPath,
		Failing: failing,
		Phase:   phase,
		APIURL:  "api/v1/status" + strings.TrimPrefix(link(phase, failing), "./"),
	}
	d.Filters = []filterLink{
		{Label: "All items", URL: link(phase, false), Active: !failing},
		{Label: "Failing only", URL: link(phase, true), Active: failing},
	}
	d.Phases = append(d.Phases, filterLink{Label: "All phases", URL: link("", failing), Active: phase == ""})
	for _, p := range currentFirst(full.Phases, full.CurrentPhase) {
		d.Phases = append(d.Phases, filterLink{Label: p.ID, URL: link(p.ID, failing), Active: strings.EqualFold(phase, p.ID), Current: p.ID == full.CurrentPhase})
	}
	d.ShownPhases = currentFirst(shown.Phases, full.CurrentPhase)
	d.VerdictLine, d.Timeline = newVerdictLine(full), newTimeline(full)
	if full.GoLive != nil {
		d.Clock = newClock(*full.GoLive, full.Now, full.Ready)
	}
	for _, id := range full.Blockers {
		if it, ok := full.Item(id); ok {
			d.Blockers = append(d.Blockers, newBlockerRow(it))
		}
	}
	if blockersOnly {
		d.BlockersOnly, d.ItemLink = true, "./"
	}
	d.TV = tv
	d.RefreshContent = strconv.Itoa(d.Refresh)
	if rot != nil {
		d.Rotation = rot
		v := url.Values{"phase": {rot.Next}, "rotate": {"1"}, "tv": {"1"}}
		if failing {
			v.Set("failing", "1")
		}
		d.RefreshContent += "; url=?" + v.Encode()
		// The progress bar under the verdict fills until the next phase.
		d.CSS += template.CSS(fmt.Sprintf("\n.rotation-progress::after { animation-duration: %ds; }", d.Refresh))
	} else if self := viewLink(phase, failing, d.BlockersOnly, d.TV); self != "./" {
		d.RefreshContent += "; url=" + self
	}
	d.TVURL = viewLink(phase, failing, d.BlockersOnly, true)
	for _, id := range full.FailingEarly {
		if it, ok := full.Item(id); ok && (phase == "" || strings.EqualFold(it.Phase, phase)) {
			d.EarlyItems = append(d.EarlyItems, it)
		}
	}
	d.Empty = true
	for _, p := range shown.Phases {
		if len(p.Sections) > 0 {
			d.Empty = false
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// Only the page's own style and script (by nonce) may run: even if some
	// text escaped its escaping, an injected script would not execute.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+nonce+"'; script-src 'nonce-"+nonce+"'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	if err := tmpl.Execute(w, d); err != nil {
		// Headers are gone; the page stops where the error happened.
		return
	}
}

// ServeJSON writes the evaluated checklist (filtered like the page by
// phase= and failing=).
func (b *Board) ServeJSON(w http.ResponseWriter, r *http.Request, results []collector.Result) {
	st := b.evaluate(results)
	if phase, failing := query(r); phase != "" || failing {
		var phases []string
		if phase != "" {
			phases = []string{phase}
		}
		st = st.Filter(phases, failing)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(st)
}

func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}
