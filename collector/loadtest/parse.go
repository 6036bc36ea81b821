package loadtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Options say how to read a file.
type Options struct {
	// Format is auto, k6, k6_legacy, locust, jmeter or gatling.
	Format string
	// K6Metric is the k6 trend giving the latency (default
	// http_req_duration).
	K6Metric string
	// GatlingPercentiles are the percentiles of percentiles1..4.
	GatlingPercentiles []float64
	// JMeterExclude, when set, leaves out JMeter samples whose trimmed
	// label matches.
	JMeterExclude *regexp.Regexp
}

func (o Options) withDefaults() Options {
	if o.Format == "" {
		o.Format = "auto"
	}
	if o.K6Metric == "" {
		o.K6Metric = "http_req_duration"
	}
	if len(o.GatlingPercentiles) == 0 {
		o.GatlingPercentiles = []float64{50, 75, 95, 99}
	}
	return o
}

// Parse reads one load-test result file. With format auto (or k6, which
// reads both k6 summary formats) the format is recognised from the
// content: a JSON object with metrics is k6, with numberOfRequests
// Gatling; a CSV header with timeStamp and elapsed is a JMeter JTL, one of
// Locust's headers a Locust file.
func Parse(r io.Reader, o Options) (*Result, error) {
	o = o.withDefaults()
	br := bufio.NewReaderSize(r, 64<<10)
	head := sniff(br)
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("empty file: %w", ErrNotLoadTest)
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, fmt.Errorf("binary content (NUL bytes): %w", ErrNotLoadTest)
	}
	if trimmed[0] == '{' {
		switch o.Format {
		case "auto", "k6", "k6_legacy", "gatling":
		default:
			return nil, fmt.Errorf("a JSON file, but format is %s: set format to k6 or gatling, or auto", o.Format)
		}
		return parseJSON(br, o)
	}
	switch o.Format {
	case "locust":
		return parseLocust(br)
	case "jmeter":
		return parseJMeter(br, o.JMeterExclude)
	case "auto":
	default:
		return nil, fmt.Errorf("not a JSON file, but format %s writes JSON: %w", o.Format, ErrNotLoadTest)
	}
	// Recognise the CSV by its first line.
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	rec := strings.Split(strings.TrimRight(string(line), "\r"), ",")
	for i := range rec {
		rec[i] = strings.Trim(rec[i], `"`)
	}
	h := newHeaderIndex(rec)
	switch {
	case isJMeterHeader(h) || looksLikeHeaderlessJTL(rec):
		return parseJMeter(br, o.JMeterExclude)
	case isLocustHeader(h):
		return parseLocust(br)
	}
	return nil, fmt.Errorf("first line %.80q is neither JSON (k6, Gatling) nor a JMeter JTL or Locust CSV header: %w", string(line), ErrNotLoadTest)
}

// maxJSON bounds a JSON summary: k6 and Gatling write kilobytes, and a
// JSON document is held whole while it is decoded, unlike the streamed CSV
// files that max_file_size bounds.
const maxJSON = 32 << 20

func parseJSON(r io.Reader, o Options) (*Result, error) {
	var top map[string]json.RawMessage
	lr := &io.LimitedReader{R: r, N: maxJSON + 1}
	dec := json.NewDecoder(lr)
	err := dec.Decode(&top)
	if lr.N <= 0 {
		return nil, fmt.Errorf("JSON summary larger than %d MiB; k6 and Gatling summaries are far smaller: %w", maxJSON>>20, ErrNotLoadTest)
	}
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("JSON is truncated: %w", io.ErrUnexpectedEOF)
		}
		return nil, fmt.Errorf("JSON: %w", err)
	}
	_, isK6 := top["metrics"]
	_, isGatling := top["numberOfRequests"]
	if stats, ok := top["stats"]; ok && bytes.Contains(stats, []byte(`"numberOfRequests"`)) {
		isGatling = true
	}
	switch {
	case isK6 && o.Format != "gatling":
		res, err := parseK6(top, o.K6Metric)
		if err == nil && o.Format == "k6_legacy" && res.Format != "k6_legacy" {
			return nil, errors.New("a k6 handleSummary file, but format is k6_legacy: set format to k6")
		}
		return res, err
	case isGatling && o.Format != "k6" && o.Format != "k6_legacy":
		return parseGatling(top, o.GatlingPercentiles)
	}
	return nil, fmt.Errorf("JSON object without k6 metrics or Gatling numberOfRequests (format %s): %w", o.Format, ErrNotLoadTest)
}
