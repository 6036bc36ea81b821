package collector

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// memo is a collection of the scrape path (RequestCollector.Gather) whose
// every result is an entry's latest run as it ended, and what was gathered
// from it. A scrape whose every check gives the same result as in the
// memo (no check ran, no run started or ended) returns the memo's results
// and families again: a cached scrape then costs a look at each entry,
// not a copy of every result and a walk over every series, whose memory
// made the cost per check grow from 1,000 to 10,000 checks (issue 12).
//
// Results and families are shared by the scrapes that get them: nothing
// downstream changes them (the text, OpenMetrics and promhttp encoders,
// the checklist's exporter and MergeGathered only read).
type memo struct {
	keys    []memoKey
	results []Result

	mu       sync.Mutex
	gathered bool
	formats  lineFormats // the formats gatherResults wrote lines in
	fams     []*dto.MetricFamily
	series   map[*dto.MetricFamily][]*builtSeries
	other    []prometheus.Metric
}

// memoKey is what makes a check's result in a collection: the entry's
// latest result (never changed once stored: a run stores a new one) and
// whether a run of it was under way (Result.Running). A nil last is a
// result made for the collection (not run yet, a scrape deadline's).
type memoKey struct {
	last    *Result
	running bool
}

// gather is gatherResults of m's results in their order, made once for
// the formats (see RequestCollector.Gather); without a memo, made anew.
func (m *memo) gather(results []Result, formats lineFormats) ([]*dto.MetricFamily, map[*dto.MetricFamily][]*builtSeries, []prometheus.Metric) {
	if m == nil {
		return gatherResults(results, identity(len(results)), formats)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.gathered || m.formats != formats {
		m.fams, m.series, m.other = gatherResults(m.results, identity(len(m.results)), formats)
		m.formats, m.gathered = formats, true
	}
	return m.fams, m.series, m.other
}
