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

	"github.com/golive/golive_exporter/internal/jsonstream"
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

// maxJSONDepth bounds the nesting of a JSON summary: k6 groups nest a few
// levels, Gatling's not at all.
const maxJSONDepth = 64

// gatlingKeys are the top-level figures of Gatling's global stats that are
// read; the rest (and stats.json's per-request "contents") is skipped.
var gatlingKeys = map[string]bool{"numberOfRequests": true, "maxResponseTime": true, "percentiles1": true,
	"percentiles2": true, "percentiles3": true, "percentiles4": true, "meanNumberOfRequestsPerSecond": true}

// parseJSON reads a k6 or Gatling summary as a token stream, key by key:
// each k6 metric, check and group is decoded on its own and reduced at
// once, and values the exporter does not use are skipped token by token, so
// memory follows the largest single metric, not the file. Which tool wrote
// the file is known once its keys have been seen (they come in any order).
func parseJSON(r io.Reader, o Options) (*Result, error) {
	dec := json.NewDecoder(r)
	k := newK6Reader(o.K6Metric)
	gatling := map[string]json.RawMessage{}
	var stateRaw json.RawMessage
	err := jsonstream.Object(dec, "JSON summary", func(key string) error {
		switch {
		case key == "metrics":
			return k.metrics(dec)
		case key == "state":
			k.handleSummary = true
			return jsonError(dec.Decode(&stateRaw))
		case key == "options":
			k.handleSummary = true
			return skipValue(dec, 1)
		case key == "root_group":
			if err := k.group(dec, 1); err != nil {
				return fmt.Errorf("k6 summary: root_group: %w", err)
			}
			return nil
		case key == "stats":
			// Gatling's stats.json wraps the global figures in "stats".
			return gatlingFigures(dec, gatling)
		case gatlingKeys[key]:
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return jsonError(err)
			}
			gatling[key] = raw
			return nil
		}
		return skipValue(dec, 1)
	})
	if errors.Is(err, jsonstream.ErrNotObject) {
		return nil, fmt.Errorf("%w: %w", err, ErrNotLoadTest)
	}
	if err != nil {
		return nil, err
	}
	_, isGatling := gatling["numberOfRequests"]
	switch {
	case k.sawMetrics && o.Format != "gatling":
		res, err := k.result(stateRaw)
		if err == nil && o.Format == "k6_legacy" && res.Format != "k6_legacy" {
			return nil, errors.New("a k6 handleSummary file, but format is k6_legacy: set format to k6")
		}
		return res, err
	case isGatling && o.Format != "k6" && o.Format != "k6_legacy":
		return parseGatling(gatling, o.GatlingPercentiles)
	}
	return nil, fmt.Errorf("JSON object without k6 metrics or Gatling numberOfRequests (format %s): %w", o.Format, ErrNotLoadTest)
}

// gatlingFigures reads the object under stats.json's "stats" key, keeping
// the figures Gatling's parser uses.
func gatlingFigures(dec *json.Decoder, into map[string]json.RawMessage) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return skipRest(dec, tok, 1) // not Gatling's wrapper: nothing to keep
	}
	// Walk the object whose brace was read: its members, then its end.
	for dec.More() {
		key, err := jsonstream.Key(dec)
		if err != nil {
			return err
		}
		if !gatlingKeys[key] {
			if err := skipValue(dec, 2); err != nil {
				return err
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return jsonError(err)
		}
		into[key] = raw
	}
	_, err = dec.Token()
	return jsonError(err)
}

// skipValue consumes one JSON value token by token (jsonstream.Skip); depth
// is the nesting level of the value, and a file nested deeper than any
// summary is not one.
func skipValue(dec *json.Decoder, depth int) error {
	return notSummaryIfDeep(jsonstream.Skip(dec, depth, maxJSONDepth))
}

// skipRest consumes the rest of a value whose first token was tok.
func skipRest(dec *json.Decoder, tok json.Token, depth int) error {
	return notSummaryIfDeep(jsonstream.SkipRest(dec, tok, depth, maxJSONDepth))
}

func notSummaryIfDeep(err error) error {
	var deep *jsonstream.TooDeepError
	if errors.As(err, &deep) {
		return fmt.Errorf("%w: not a load-test summary: %w", err, ErrNotLoadTest)
	}
	return err
}

// jsonError is jsonstream.Err: a truncated file says so plainly, other
// decoder errors keep their position.
func jsonError(err error) error { return jsonstream.Err(err) }
