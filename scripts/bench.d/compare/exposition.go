package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// parse reads a Prometheus text exposition, or an OpenMetrics one (what
// golive_exporter answers a Prometheus server): the text parser reads its
// samples, skips its # EOF and # UNIT lines as comments, and takes a
// counter's X_total samples as an untyped family X_total, whose values
// value reads alike.
func parse(body []byte) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("reading the exposition: %w", err)
	}
	return mfs, nil
}

// value is a gauge's, counter's or untyped metric's value.
func value(m *dto.Metric) float64 {
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	default:
		return m.GetUntyped().GetValue()
	}
}

// labelKey identifies a metric by its labels, in name order.
func labelKey(m *dto.Metric) string {
	pairs := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		pairs = append(pairs, l.GetName()+"="+l.GetValue())
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ",")
}

func seconds(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }

// checkScrape is what one scrape of golive_exporter says of its checks.
type checkScrape struct {
	passed  int           // checks whose golive_check_success is 1
	reasons []string      // golive_check_failure_reason's reason of each failing check
	slowest time.Duration // the largest golive_check_duration_seconds
	// waitRun is the largest golive_check_queue_wait_seconds plus
	// golive_check_duration_seconds of one check: from when the scrape
	// asked for its run until it had its result.
	waitRun time.Duration
}

func readChecks(body []byte) (checkScrape, error) {
	mfs, err := parse(body)
	if err != nil {
		return checkScrape{}, err
	}
	var s checkScrape
	for _, m := range mfs["golive_check_success"].GetMetric() {
		if value(m) == 1 {
			s.passed++
		}
	}
	for _, m := range mfs["golive_check_failure_reason"].GetMetric() {
		if value(m) != 1 {
			continue
		}
		for _, l := range m.GetLabel() {
			if l.GetName() == "reason" {
				s.reasons = append(s.reasons, l.GetValue())
			}
		}
	}
	waitRun := map[string]float64{}
	for _, m := range mfs["golive_check_duration_seconds"].GetMetric() {
		s.slowest = max(s.slowest, seconds(value(m)))
		waitRun[labelKey(m)] += value(m)
	}
	for _, m := range mfs["golive_check_queue_wait_seconds"].GetMetric() {
		waitRun[labelKey(m)] += value(m)
	}
	for _, v := range waitRun {
		s.waitRun = max(s.waitRun, seconds(v))
	}
	return s, nil
}

// checksPassed is how many of golive_exporter's checks passed.
func checksPassed(body []byte) (int, error) {
	s, err := readChecks(body)
	return s.passed, err
}

// probeSucceeded is blackbox_exporter's probe_success.
func probeSucceeded(body []byte) (bool, error) {
	mfs, err := parse(body)
	if err != nil {
		return false, err
	}
	ms := mfs["probe_success"].GetMetric()
	return len(ms) == 1 && value(ms[0]) == 1, nil
}

// scrapeWalls adds up scrapes of golive_exporter for the target
// "scrape wall <= 1.1x the slowest check": the one definition make bench
// prints (wall/slw). Each scrape's wall time is set against the slowest
// check of that same scrape, and the walls and the slowest checks are each
// summed over the measured scrapes:
//
//	wall/slw = Σ wall(scrape) / Σ slowest check(scrape)
//
// which is the mean scrape wall over the mean slowest check (the scrape_ms
// and slowest columns beside it), so the three printed figures agree. It
// is at least 1 when the scrapes wait for their checks; the slowest check
// of all scrapes (a maximum over scrapes) is not the denominator, since one
// slow scrape would then make every other scrape look faster than its
// own checks.
type scrapeWalls struct {
	scrapes int
	wall    time.Duration // Σ scrape wall time
	slowest time.Duration // Σ slowest check of each scrape
	waitRun time.Duration // Σ longest queue wait + run of each scrape
}

func (w *scrapeWalls) add(wall time.Duration, s checkScrape) {
	w.scrapes++
	w.wall += wall
	w.slowest += s.slowest
	w.waitRun += s.waitRun
}

// ratio is wall/slw; 0 before a scrape with a check.
func (w scrapeWalls) ratio() float64 {
	if w.slowest <= 0 {
		return 0
	}
	return float64(w.wall) / float64(w.slowest)
}

// ms is the mean of a sum over the scrapes, in milliseconds.
func (w scrapeWalls) ms(sum time.Duration) float64 {
	if w.scrapes == 0 {
		return 0
	}
	return float64(sum) / float64(w.scrapes) / 1e6
}
