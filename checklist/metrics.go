package checklist

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/prometheus/client_golang/prometheus"
)

// The checklist's metric families. Labels are the item id and the TSV's
// fixed phase, section and kind columns: never free text.
var (
	itemLabels = []string{"item", "phase", "section", "kind"}

	descItemState = collector.GaugeFamily("golive_checklist_item_state",
		"The item's state: 1 for its current state (pass, fail, unknown, attested, missing, failing_early, upcoming); one series per item.",
		append(append([]string(nil), itemLabels...), "state"), nil)
	descItemOK = collector.GaugeFamily("golive_checklist_item_ok",
		"Whether the item passes or is attested (1), else 0.",
		itemLabels, nil)
	descItemDue = collector.GaugeFamily("golive_checklist_item_due",
		"Whether the item's due window has begun (1) or it is still upcoming (0).",
		itemLabels, nil)
	descItemBlocker = collector.GaugeFamily("golive_checklist_item_blocker",
		"Whether the item blocks GO when due and not OK (1).",
		itemLabels, nil)
	descAttestedAt = collector.GaugeFamily("golive_checklist_attestation_timestamp_seconds",
		"When the item's newest attestation was made, as a Unix timestamp.",
		itemLabels, nil)
	descAttestExpiry = collector.GaugeFamily("golive_checklist_attestation_expiry_timestamp_seconds",
		"When the item's newest attestation stops counting, as a Unix timestamp; absent when it does not expire.",
		itemLabels, nil)
	descAttestLoaded = collector.GaugeFamily("golive_checklist_attestations_last_load_successful",
		"Whether the attestations file, read again when it changes, loaded (1) or its latest version was refused (0) and the previous attestations still count; absent without an attestations file.",
		nil, nil)
	descItems = collector.GaugeFamily("golive_checklist_items",
		"How many items of the phase are in each state.",
		[]string{"phase", "state"}, nil)
	descPhaseDue = collector.GaugeFamily("golive_checklist_phase_items_due",
		"How many items of the phase are due (their window has begun).",
		[]string{"phase"}, nil)
	descPhasePassing = collector.GaugeFamily("golive_checklist_phase_items_passing",
		"How many due items of the phase pass or are attested.",
		[]string{"phase"}, nil)
	descPhaseFailing = collector.GaugeFamily("golive_checklist_phase_items_failing",
		"How many due items of the phase are not OK (fail, missing or unknown).",
		[]string{"phase"}, nil)
	descReady = collector.GaugeFamily("golive_checklist_ready",
		"The verdict: 1 for GO (every due blocker passes or is attested), 0 for NO-GO.",
		nil, nil)
	descBlockers = collector.GaugeFamily("golive_checklist_blockers",
		"How many due blocker items are not OK.",
		nil, nil)
	descFailingEarly = collector.GaugeFamily("golive_checklist_failing_early",
		"How many items not due yet have a bound check that fails; they do not block GO until due.",
		nil, nil)
	descGoLive = collector.GaugeFamily("golive_checklist_go_live_timestamp_seconds",
		"The planned go-live time, as a Unix timestamp; absent when not configured.",
		nil, nil)
)

// Exporter returns a collector.ResultExporter that writes the checklist's
// metrics for each collection, evaluated at now() (time.Now when nil). The
// series are rendered again only when what they show changed (a state,
// due window, attestation or the verdict): an unchanged scrape resends the
// series of the previous one.
func (m *Model) Exporter(now func() time.Time) collector.ResultExporter {
	return m.ExporterObserved(now, nil)
}

// ExporterObserved is Exporter that also hands each evaluation to observe
// (when not nil): the board's history records state changes from the
// scrapes, whether or not anybody looks at the board.
//
// A scrape evaluates the checklist only when something it depends on may
// have changed since the last evaluation (see evalKey): the outcome of a
// check, the attestations, or the time crossing a due window's start or an
// attestation's date or expiry; and at least every maxEvalAge. Otherwise
// it resends the series of the last evaluation, and observe is not called:
// it would record nothing new. Issue 12: the board's history made every
// scrape evaluate all 279 items, most of a scrape's fixed CPU.
func (m *Model) ExporterObserved(now func() time.Time, observe func(*Status)) collector.ResultExporter {
	if now == nil {
		now = time.Now
	}
	perItem := m.cfg.Checklist.Configured()
	seed := maphash.MakeSeed()
	starts := m.windowStarts()
	var (
		mu     sync.Mutex
		key    uint64
		cached []prometheus.Metric
		last   evalKey
		until  time.Time // the last evaluation holds before this time
	)
	return func(results []collector.Result, ch chan<- prometheus.Metric) {
		t := now()
		// Read before the evaluation: a file changed in between makes the
		// next scrape evaluate again, never the reverse.
		attestations, gen, _ := m.attest.currentGen()
		ek := evalKey{results: resultsKey(seed, results), attestations: gen, at: t}
		mu.Lock()
		if cached != nil && last.holds(ek, until) {
			out := cached
			mu.Unlock()
			for _, mt := range out {
				ch <- mt
			}
			return
		}
		mu.Unlock()
		// The board's history (observe) needs every item's state; the
		// metrics of a configuration without a checklist: section only
		// the summary.
		var st *Status
		if perItem || observe != nil {
			st = m.Evaluate(results, t)
		} else {
			st = m.evaluateSummary(results, t)
		}
		if observe != nil {
			observe(st)
		}
		k := fingerprint(seed, st, perItem)
		mu.Lock()
		if cached == nil || k != key {
			cached, key = m.render(st, perItem), k
		}
		last, until = ek, nextChange(t, starts, attestations)
		out := cached
		mu.Unlock()
		for _, mt := range out {
			ch <- mt
		}
	}
}

// maxEvalAge is how long an evaluation is resent at most, even when
// nothing it depends on changed: the history's pruning of old verdicts,
// for one, runs with an evaluation.
const maxEvalAge = time.Minute

// evalKey is what an evaluation of the checklist depends on, besides the
// configuration: the checks' outcomes, the attestations, and the time.
type evalKey struct {
	results      uint64 // resultsKey
	attestations uint64 // the attestations' generation
	at           time.Time
}

// holds reports whether the evaluation made for k serves a scrape whose
// key is cur: same outcomes and attestations, and cur's time between k's
// and until, the next time an item's state may change with time alone.
func (k evalKey) holds(cur evalKey, until time.Time) bool {
	return k.results == cur.results && k.attestations == cur.attestations &&
		!cur.at.Before(k.at) && cur.at.Before(until) && cur.at.Sub(k.at) < maxEvalAge
}

// resultsKey hashes what an item's state takes from the results (see
// evalItem, combine and narrowToGroups): each check's status and reason
// and its conditions' outcomes, not its start time, duration or message,
// which change with every run while the state stays.
func resultsKey(seed maphash.Seed, results []collector.Result) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, r := range results {
		_, _ = h.WriteString(r.Check)
		_ = h.WriteByte(0)
		_, _ = h.WriteString(string(r.Status))
		_ = h.WriteByte(0)
		_, _ = h.WriteString(string(r.Reason))
		_ = h.WriteByte(byte(len(r.Conditions)))
		for _, c := range r.Conditions {
			_, _ = h.WriteString(c.Name)
			_ = h.WriteByte(0)
			_ = h.WriteByte(byte(b2f(c.OK)))
		}
		_ = h.WriteByte(1)
	}
	return h.Sum64()
}

// windowStarts are the starts of the items' due windows: an item falls
// due at its window's start (none without a go-live time).
func (m *Model) windowStarts() []time.Time {
	var out []time.Time
	for _, it := range m.Checklist.Items {
		if from, _, ok := m.Window(it); ok && !slices.ContainsFunc(out, from.Equal) {
			out = append(out, from)
		}
	}
	return out
}

// nextChange is the first time after t at which an item's state may change
// though neither the results nor the attestations do: a due window begins,
// an attestation's date comes (it counts from then) or it expires. The
// states hold from t until then.
func nextChange(t time.Time, starts []time.Time, attestations map[string][]Attestation) time.Time {
	next := t.Add(maxEvalAge)
	consider := func(b time.Time) {
		if b.After(t) && b.Before(next) {
			next = b
		}
	}
	for _, b := range starts {
		consider(b)
	}
	for _, as := range attestations {
		for _, a := range as {
			consider(a.At)
			if exp := a.ExpiresAt(); !exp.IsZero() {
				consider(exp)
			}
		}
	}
	return next
}

// Export writes the metrics of an evaluated status.
func (m *Model) Export(st *Status, ch chan<- prometheus.Metric) {
	for _, mt := range m.render(st, m.cfg.Checklist.Configured()) {
		ch <- mt
	}
}

// fingerprint hashes everything render shows of st.
func fingerprint(seed maphash.Seed, st *Status, perItem bool) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	var buf [8]byte
	num := func(v float64) {
		binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
		_, _ = h.Write(buf[:])
	}
	for _, p := range st.Phases {
		_, _ = h.WriteString(p.ID)
		num(float64(p.Due))
		num(float64(p.Passing))
		num(float64(p.Failing))
		for _, state := range States {
			num(float64(p.Counts[state]))
		}
		if !perItem {
			continue
		}
		for _, s := range p.Sections {
			for _, it := range s.Items {
				_, _ = h.WriteString(it.ID)
				_, _ = h.WriteString(string(it.State))
				num(b2f(it.Due) + 2*b2f(it.Blocker))
				if a := it.Attestation; a != nil {
					num(unix(a.At))
					if a.Expires != nil {
						num(unix(*a.Expires))
					}
				}
			}
		}
	}
	num(b2f(st.AttestationsError == ""))
	num(b2f(st.Ready))
	num(float64(len(st.Blockers)))
	num(float64(len(st.FailingEarly)))
	if st.GoLive != nil {
		num(unix(*st.GoLive))
	}
	return h.Sum64()
}

// render makes the metrics of an evaluated status; perItem adds the series
// of every item (and their attestations) to the verdict and the per-phase
// summary.
func (m *Model) render(st *Status, perItem bool) []prometheus.Metric {
	out := make([]prometheus.Metric, 0, 64)
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		out = append(out, prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...))
	}
	for _, p := range st.Phases {
		if perItem {
			for _, s := range p.Sections {
				for _, it := range s.Items {
					l := []string{it.ID, it.Phase, it.Section, string(it.Kind)}
					gauge(descItemState, 1, append(l, string(it.State))...)
					gauge(descItemOK, b2f(it.State.OK()), l...)
					gauge(descItemDue, b2f(it.Due), l...)
					gauge(descItemBlocker, b2f(it.Blocker), l...)
					if a := it.Attestation; a != nil {
						gauge(descAttestedAt, unix(a.At), l...)
						if a.Expires != nil {
							gauge(descAttestExpiry, unix(*a.Expires), l...)
						}
					}
				}
			}
		}
		for _, state := range States {
			gauge(descItems, float64(p.Counts[state]), p.ID, string(state))
		}
		gauge(descPhaseDue, float64(p.Due), p.ID)
		gauge(descPhasePassing, float64(p.Passing), p.ID)
		gauge(descPhaseFailing, float64(p.Failing), p.ID)
	}
	if m.attest != nil {
		gauge(descAttestLoaded, b2f(st.AttestationsError == ""))
	}
	gauge(descReady, b2f(st.Ready))
	gauge(descBlockers, float64(len(st.Blockers)))
	gauge(descFailingEarly, float64(len(st.FailingEarly)))
	if st.GoLive != nil {
		gauge(descGoLive, unix(*st.GoLive))
	}
	return out
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
