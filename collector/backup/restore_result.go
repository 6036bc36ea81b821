package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/report"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/human"
)

var (
	resultTestsDesc = collector.NewDesc("golive_restore_result_tests",
		"Test cases in the restore job's JUnit report.")
	resultFailuresDesc = collector.NewDesc("golive_restore_result_failures",
		"Failed or errored test cases in the restore job's JUnit report.")
)

type restoreResultCheck struct {
	cfg  *RestoreResultCheck
	file string
	clock
}

func newRestoreResult(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*RestoreResultCheck)
	return &restoreResultCheck{cfg: cfg, file: env.Config.ResolvePath(cfg.File), clock: clock{time.Now}}, nil
}

// RestoreMarker is the JSON a restore job leaves, e.g.
// {"status": "success", "finished_at": "2026-11-28T03:12:00Z",
// "duration_seconds": 312, "rows_checked": 48211}.
type RestoreMarker struct {
	// Success comes from status (success, ok, passed, ...) or a boolean
	// success field.
	Success  bool
	Status   string
	Finished time.Time // zero when the marker has no time
	Duration float64   // -1 when absent
	Rows     float64   // -1 when absent
	Message  string
}

type rawMarker struct {
	Status          *string         `json:"status"`
	Success         *bool           `json:"success"`
	FinishedAt      json.RawMessage `json:"finished_at"`
	Timestamp       json.RawMessage `json:"timestamp"`
	Time            json.RawMessage `json:"time"`
	EndTime         json.RawMessage `json:"end_time"`
	DurationSeconds *float64        `json:"duration_seconds"`
	RowsChecked     *float64        `json:"rows_checked"`
	Message         string          `json:"message"`
	Error           string          `json:"error"`
}

// ParseRestoreMarker decodes a restore job's marker JSON.
func ParseRestoreMarker(data []byte) (RestoreMarker, error) {
	var raw rawMarker
	m := RestoreMarker{Duration: -1, Rows: -1}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return m, errors.New("the restore marker is not a JSON object")
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return m, fmt.Errorf("the restore marker is not valid JSON: %w", err)
	}
	switch {
	case raw.Status != nil:
		m.Status = *raw.Status
		m.Success = sidecarOK(m.Status)
	case raw.Success != nil:
		m.Success = *raw.Success
		m.Status = strconv.FormatBool(*raw.Success)
	default:
		return m, errors.New(`the restore marker has neither "status" nor "success"`)
	}
	for _, t := range []json.RawMessage{raw.FinishedAt, raw.Timestamp, raw.Time, raw.EndTime} {
		if len(t) == 0 || string(t) == "null" {
			continue
		}
		ts, err := parseMarkerTime(t)
		if err != nil {
			return m, err
		}
		m.Finished = ts
		break
	}
	if raw.DurationSeconds != nil && *raw.DurationSeconds >= 0 && !math.IsInf(*raw.DurationSeconds, 0) {
		m.Duration = *raw.DurationSeconds
	}
	if raw.RowsChecked != nil && *raw.RowsChecked >= 0 && !math.IsInf(*raw.RowsChecked, 0) {
		m.Rows = *raw.RowsChecked
	}
	m.Message = raw.Message
	if m.Message == "" {
		m.Message = raw.Error
	}
	return m, nil
}

// parseMarkerTime accepts RFC 3339 text or unix seconds (number or text).
func parseMarkerTime(raw json.RawMessage) (time.Time, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(raw)
	}
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f <= 0 || f > 1e11 {
			return time.Time{}, fmt.Errorf("the restore marker's time %s is not unix seconds", s)
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("the restore marker's time %q is neither RFC 3339 nor unix seconds", s)
	}
	return t, nil
}

// Run reads the result file and checks that the last restore succeeded and
// is recent enough.
func (c *restoreResultCheck) Run(ctx context.Context, r *collector.Report) error {
	fi, err := fsCall(ctx, func() (fs.FileInfo, error) { return os.Stat(c.file) })
	if errors.Is(err, fs.ErrNotExist) {
		return collector.Failf(collector.ReasonNotFound, "restore result %s does not exist: has the restore job run, and does it write there?", c.file)
	}
	if err != nil {
		return fmt.Errorf("restore result %s: %w", c.file, err)
	}
	data, err := readFile(ctx, c.file, int64(c.cfg.MaxSize))
	if err != nil {
		return err
	}
	format := c.cfg.Format
	if format == RestoreResultAuto {
		format = RestoreResultJSON
		if strings.EqualFold(filepath.Ext(c.file), ".xml") || bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")) {
			format = RestoreResultJUnit
		}
	}
	var (
		ok                  bool
		finished            = fi.ModTime()
		observed            string
		duration, rowsCheck = -1.0, -1.0
	)
	if format == RestoreResultJUnit {
		counts, err := report.ParseJUnit(bytes.NewReader(data))
		if err != nil {
			return collector.WithReason(collector.ReasonInvalidResponse, fmt.Errorf("%s: %w", c.file, err))
		}
		tests, failed := counts.Total(), counts.Failing()
		r.Gauge(resultTestsDesc, float64(tests))
		r.Gauge(resultFailuresDesc, float64(failed))
		ok = tests > 0 && failed == 0
		observed = fmt.Sprintf("%d tests, %d failed", tests, failed)
	} else {
		m, err := ParseRestoreMarker(data)
		if err != nil {
			return collector.WithReason(collector.ReasonInvalidResponse, fmt.Errorf("%s: %w", c.file, err))
		}
		ok = m.Success
		if !m.Finished.IsZero() {
			finished = m.Finished
		}
		duration, rowsCheck = m.Duration, m.Rows
		observed = "status " + strconv.Quote(m.Status)
		if !ok && m.Message != "" {
			observed += ": " + messageLine(m.Message)
		}
	}
	r.Gauge(restoreAttemptDesc, unixSeconds(finished))
	r.Bool(restoreSuccessDesc, ok)
	if ok {
		r.Gauge(restoreSuccessTSDesc, unixSeconds(finished))
	}
	if duration >= 0 {
		r.Gauge(restoreDurationDesc, duration)
	}
	if rowsCheck >= 0 {
		r.Gauge(restoreRowsCheckedDesc, rowsCheck)
	}
	r.Assert("restore result", ok, observed, "the last restore test succeeded")
	if max := c.cfg.MaxDuration; max > 0 {
		obs := "the result gives no duration_seconds"
		if duration >= 0 {
			obs = human.Duration(time.Duration(duration * float64(time.Second)))
		}
		r.Assert("restore duration", duration >= 0 && duration <= time.Duration(max).Seconds(), obs, "at most "+max.String())
	}
	if c.cfg.MaxAge > 0 {
		age := c.now().Sub(finished)
		r.AssertReason(collector.ReasonStale, "restore result age", age <= time.Duration(c.cfg.MaxAge),
			fmt.Sprintf("%s old (%s)", human.Duration(age), finished.UTC().Format(time.RFC3339)), "at most "+c.cfg.MaxAge.String()+" old")
	}
	return nil
}
