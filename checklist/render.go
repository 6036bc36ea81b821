package checklist

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/human"
)

// Marks are the one-glyph marks of each state in text output; no two
// states share one, so a glance down the column tells them apart.
var Marks = map[State]string{
	StatePass:     "✔",
	StateAttested: "✍",
	StateFail:     "✘",
	StateMissing:  "!",
	StateUnknown:  "?",
	// Failing early: a warning sign, not the cross of a due failure.
	StateFailingEarly: "⚠",
	StateUpcoming:     "·",
}

// markdownMarks are the marks in Markdown, where emoji read best.
var markdownMarks = map[State]string{
	StatePass:         "✅",
	StateAttested:     "✍️",
	StateFail:         "❌",
	StateMissing:      "⛔",
	StateUnknown:      "❔",
	StateFailingEarly: "⚠️",
	StateUpcoming:     "⏳",
}

// ANSI colours per state.
var stateColors = map[State]string{
	StatePass:         "\x1b[32m",
	StateAttested:     "\x1b[32m",
	StateFail:         "\x1b[31m",
	StateMissing:      "\x1b[31m",
	StateUnknown:      "\x1b[33m",
	StateFailingEarly: "\x1b[35m",
	StateUpcoming:     "\x1b[2m",
}

const (
	colorReset = "\x1b[0m"
	colorBold  = "\x1b[1m"
)

// forGoLiveText says how a status of EvaluateForGoLive was judged.
const forGoLiveText = "judged for go-live (items due from go-live on are not counted)"

// failingEarlyTitle heads the list of items failing before they are due.
const failingEarlyTitle = "Failing early (not due yet, not blocking)"

// TextOptions control the table output.
type TextOptions struct {
	// Color adds ANSI colours (only for a terminal).
	Color bool
}

// TimeFormat is how times are printed in text and Markdown.
const TimeFormat = "2006-01-02 15:04 MST"

func fmtTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// Countdown says how far t is from now in words: "in 2d3h" or "5h10m ago"
// (human.Countdown, the one way durations are written for people).
func Countdown(t, now time.Time) string { return human.Countdown(t, now) }

// CountsText lists the counts of each state that occurs, e.g. "3 pass,
// 1 fail".
func CountsText(counts map[State]int) string {
	var parts []string
	for _, s := range States {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(parts) == 0 {
		return "no items"
	}
	return strings.Join(parts, ", ")
}

// Summary is the verdict line: verdict, blockers and counts.
func (st *Status) Summary() string {
	total := 0
	for _, n := range st.Counts {
		total += n
	}
	return fmt.Sprintf("%s: %d blocker%s; %d items: %s", st.Verdict, len(st.Blockers), plural(len(st.Blockers)), total, CountsText(st.Counts))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Restrict returns st limited to phases (all when empty): only those
// phases are shown, and the verdict, blockers and counts cover only their
// items.
func (st *Status) Restrict(phases []string) *Status {
	if len(phases) == 0 {
		return st
	}
	out := st.Filter(phases, false)
	out.Counts = zeroCounts()
	in := map[string]bool{}
	for _, p := range out.Phases {
		for s, n := range p.Counts {
			out.Counts[s] += n
		}
		in[p.ID] = true
	}
	out.Blockers, out.FailingEarly = inPhases(st, st.Blockers, in), inPhases(st, st.FailingEarly, in)
	out.Total = 0
	for _, n := range out.Counts {
		out.Total += n
	}
	out.Ready = len(out.Blockers) == 0
	out.restricted = true
	out.Verdict = VerdictNoGo
	if out.Ready {
		out.Verdict = VerdictGo
	}
	return out
}

// inPhases keeps the ids of items in the phases in.
func inPhases(st *Status, ids []string, in map[string]bool) []string {
	out := []string{}
	for _, id := range ids {
		if it, ok := st.Item(id); ok && in[it.Phase] {
			out = append(out, id)
		}
	}
	return out
}

// Item returns the status of item id.
func (st *Status) Item(id string) (ItemStatus, bool) {
	for _, p := range st.Phases {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				if it.ID == id {
					return it, true
				}
			}
		}
	}
	return ItemStatus{}, false
}

// WriteText prints the checklist by phase and section, one mark per item,
// the reason of each item that is not OK, who attested each manual one, and
// a last line with the verdict and counts.
func (st *Status) WriteText(w io.Writer, o TextOptions) error {
	ew := &errWriter{w: w}
	paint := func(color, s string) string {
		if !o.Color || color == "" {
			return s
		}
		return color + s + colorReset
	}
	switch {
	case st.ForGoLive:
		ew.printf("Go-live %s, %s\n", fmtTime(*st.GoLive), forGoLiveText)
	case st.GoLive != nil:
		ew.printf("Go-live %s (%s), evaluated %s\n", fmtTime(*st.GoLive), Countdown(*st.GoLive, st.Now), fmtTime(st.Now))
	default:
		ew.printf("Go-live time not set (checklist.go_live): every item counts as due. Evaluated %s\n", fmtTime(st.Now))
	}
	// The state column is as wide as the longest state shown (failing_early
	// is wider than the rest, and rare).
	wState := 8
	for _, p := range st.Phases {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				wState = max(wState, len(it.State))
			}
		}
	}
	for _, p := range st.Phases {
		ew.printf("\n%s (%s)", paint(colorBold, p.Title), p.ID)
		if p.DueFrom != nil {
			ew.printf(", due %s .. %s", fmtTime(*p.DueFrom), fmtTime(*p.DueUntil))
		}
		ew.printf(": %s\n", CountsText(p.Counts))
		for _, s := range p.Sections {
			ew.printf("  %s\n", s.Name)
			for _, it := range s.Items {
				c := stateColors[it.State]
				ew.printf("    %s %s %-8s %s", paint(c, Marks[it.State]), paint(c, fmt.Sprintf("%-*s", wState, it.State)), it.ID, oneLine(it.Text))
				if it.Blocker && it.Due && !it.State.OK() {
					ew.printf("  %s", paint(colorBold, "[blocker]"))
				}
				ew.printf("\n")
				if it.Reason != "" && it.State != StateUpcoming {
					ew.printf("        %s\n", oneLine(it.Reason))
				}
				if it.State == StateFailingEarly && it.DueFrom != nil {
					ew.printf("        due from %s; does not block GO before then\n", fmtTime(*it.DueFrom))
				}
				if a := it.Attestation; a != nil && (it.State == StateAttested || !a.Valid) {
					ew.printf("        %s\n", oneLine(attestationText(a)))
				}
			}
		}
	}
	st.writeChecks(ew, paint)
	if len(st.Blockers) > 0 {
		ew.printf("\nBlockers: %s\n", human.List(st.Blockers, 20))
	}
	if len(st.FailingEarly) > 0 {
		ew.printf("\n%s: %s\n", failingEarlyTitle, human.List(st.FailingEarly, 20))
	}
	verdictColor := "\x1b[1;31m"
	if st.Ready {
		verdictColor = "\x1b[1;32m"
	}
	ew.printf("\n%s\n", paint(verdictColor, st.Summary()))
	return ew.err
}

// checkColors colour the result column of the check table like the
// item states.
var checkColors = map[collector.Status]string{
	collector.StatusPass:    "\x1b[32m",
	collector.StatusWarn:    "\x1b[33m",
	collector.StatusFail:    "\x1b[31m",
	collector.StatusUnknown: "\x1b[33m",
}

// writeChecks prints the check table: one line per check with its kind,
// the items it proves, its result, the failure reason and how long it
// took. The checklist above says what the results mean for the go-live;
// this says what ran, so a slow or failing check bound to no item is seen
// too. Under --phase only the checks of the shown items are listed.
func (st *Status) writeChecks(ew *errWriter, paint func(color, s string) string) {
	shown := map[string]bool{}
	for _, p := range st.Phases {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				shown[it.ID] = true
			}
		}
	}
	type row struct {
		name, kind, items, result, reason, took string
		color                                   string
	}
	rows := []row{{name: "check", kind: "kind", items: "items", result: "result", reason: "reason", took: "duration"}}
	for _, r := range st.Checks {
		keep := len(r.Items) == 0 && !st.restricted
		for _, id := range r.Items {
			keep = keep || shown[id]
		}
		if !keep {
			continue
		}
		rw := row{name: r.Check, kind: r.Kind, items: "-", result: string(r.Status), reason: "-", took: "-", color: checkColors[r.Status]}
		if len(r.Items) > 0 {
			rw.items = human.List(r.Items, 3)
		}
		if r.Status == collector.StatusFail || (r.Reason != "" && r.Reason != collector.ReasonNone) {
			rw.reason = string(r.Reason)
		}
		if !r.Start.IsZero() && r.Status != collector.StatusUnknown {
			rw.took = fmt.Sprintf("%.3fs", r.DurationSec)
		}
		if r.Running {
			rw.took += " (running)"
		}
		rows = append(rows, rw)
	}
	if len(rows) == 1 {
		return
	}
	var wName, wKind, wItems, wResult, wReason int
	for _, r := range rows {
		wName, wKind, wItems = max(wName, len(r.name)), max(wKind, len(r.kind)), max(wItems, len(r.items))
		wResult, wReason = max(wResult, len(r.result)), max(wReason, len(r.reason))
	}
	ew.printf("\nChecks:\n")
	for _, r := range rows {
		// Pad before painting, so escape codes do not upset the columns.
		result := paint(r.color, fmt.Sprintf("%-*s", wResult, r.result))
		ew.printf("  %-*s  %-*s  %-*s  %s  %-*s  %s\n", wName, oneLine(r.name), wKind, r.kind, wItems, r.items, result, wReason, r.reason, r.took)
	}
}

func attestationText(a *AttestationView) string {
	s := fmt.Sprintf("attested by %s at %s", a.By, fmtTime(a.At))
	if a.Expires != nil {
		if a.Valid {
			s += ", valid until " + fmtTime(*a.Expires)
		} else {
			s += ", expired " + fmtTime(*a.Expires)
		}
	}
	if a.Note != "" {
		s += ": " + a.Note
	}
	if a.Evidence != "" {
		s += " (" + a.Evidence + ")"
	}
	return s
}

// oneLine folds whitespace (and strips control characters, so a message
// cannot move the terminal's cursor or change its colours).
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// WriteMarkdown prints the checklist as Markdown, to paste into the go-live
// report. Cell text is escaped so that a pipe or HTML in a note or message
// renders as text.
func (st *Status) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("# Go-live checklist: %s\n\n", st.Verdict)
	switch {
	case st.ForGoLive:
		ew.printf("Go-live %s, %s.\n\n", fmtTime(*st.GoLive), forGoLiveText)
	case st.GoLive != nil:
		ew.printf("Go-live %s (%s), evaluated %s.\n\n", fmtTime(*st.GoLive), Countdown(*st.GoLive, st.Now), fmtTime(st.Now))
	default:
		ew.printf("Go-live time not set; every item counts as due. Evaluated %s.\n\n", fmtTime(st.Now))
	}
	ew.printf("**%s**\n", mdEscape(st.Summary()))
	if len(st.Blockers) > 0 {
		ew.printf("\nBlockers: %s\n", strings.Join(st.Blockers, ", "))
	}
	if len(st.FailingEarly) > 0 {
		ew.printf("\n%s: %s\n", failingEarlyTitle, strings.Join(st.FailingEarly, ", "))
	}
	for _, p := range st.Phases {
		ew.printf("\n## %s (%s)\n\n", mdEscape(p.Title), p.ID)
		if p.DueFrom != nil {
			ew.printf("Due %s .. %s. ", fmtTime(*p.DueFrom), fmtTime(*p.DueUntil))
		}
		ew.printf("%s.\n", CountsText(p.Counts))
		for _, s := range p.Sections {
			ew.printf("\n### %s\n\n| | Item | Text | State | Details |\n| --- | --- | --- | --- | --- |\n", mdEscape(s.Name))
			for _, it := range s.Items {
				var details []string
				if it.Reason != "" && it.State != StateUpcoming {
					details = append(details, it.Reason)
				}
				if a := it.Attestation; a != nil && (it.State == StateAttested || !a.Valid) {
					details = append(details, attestationText(a))
				}
				if (it.State == StateUpcoming || it.State == StateFailingEarly) && it.DueFrom != nil {
					details = append(details, "due from "+fmtTime(*it.DueFrom))
				}
				state := mdEscape(string(it.State))
				switch {
				case it.Blocker && it.Due && !it.State.OK():
					state = "**" + state + "** (blocker)"
				case it.State == StateFailingEarly:
					state = "**" + state + "** (not due yet)"
				}
				ew.printf("| %s | %s | %s | %s | %s |\n", markdownMarks[it.State], it.ID, mdEscape(it.Text), state, mdEscape(strings.Join(details, "; ")))
			}
		}
	}
	return ew.err
}

// mdEscape makes text safe inside a Markdown table cell.
func mdEscape(s string) string {
	s = oneLine(s)
	r := strings.NewReplacer(`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;", "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

// WriteJSON prints the status as indented JSON.
func (st *Status) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
