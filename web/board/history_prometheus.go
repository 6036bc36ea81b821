package board

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/checklist"
)

// historyStep is the resolution of the verdict's changes read from
// Prometheus: 10 080 points for 7 days, under Prometheus' 11 000 per
// series.
const historyStep = time.Minute

// SeedFromPrometheus fills a history that has recorded no verdict yet (a
// first start, a pod without a volume) with the verdict's changes over
// the last HistoryRetention, read from Prometheus at base: the series
// golive_checklist_ready matching selector (e.g. {job="golive"}), the
// exporter's own series as Prometheus scraped them. Only the verdict is
// read; items' "since" start with this run. It does nothing when the
// history has a verdict already (the file is the better record).
func (h *History) SeedFromPrometheus(ctx context.Context, client *http.Client, base, selector string, now time.Time) error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	has := len(h.data.Verdict) > 0
	h.mu.Unlock()
	if has {
		return nil
	}
	if client == nil {
		client = http.DefaultClient
	}
	start := now.Add(-HistoryRetention)
	q := url.Values{
		"query": {"max(golive_checklist_ready" + selector + ")"},
		"start": {strconv.FormatInt(start.Unix(), 10)},
		"end":   {strconv.FormatInt(now.Unix(), 10)},
		"step":  {strconv.Itoa(int(historyStep.Seconds()))},
	}
	u := strings.TrimSuffix(base, "/") + "/api/v1/query_range?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("board history from Prometheus: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("board history from Prometheus: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("board history from Prometheus: reading the answer: %w", err)
	}
	changes, err := parseReadyRange(body, resp.StatusCode, selector)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.data.Verdict) > 0 {
		return nil
	}
	h.data.Verdict = changes
	if first := changes[0].At; first.Before(h.data.Start) {
		h.data.Start = first
	}
	h.prune(now)
	return h.save()
}

// parseReadyRange reads the verdict's changes from a query_range answer
// of golive_checklist_ready (1 GO, anything else NO-GO).
func parseReadyRange(body []byte, code int, selector string) ([]checklist.VerdictChange, error) {
	var ans struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Values [][2]json.RawMessage `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return nil, fmt.Errorf("board history from Prometheus: HTTP %d, not a query answer: %w", code, err)
	}
	if ans.Status != "success" {
		return nil, fmt.Errorf("board history from Prometheus: %s", ans.Error)
	}
	if len(ans.Data.Result) == 0 {
		return nil, errors.New("board history from Prometheus: no golive_checklist_ready" + selector + " in the last 7 days; check the selector")
	}
	var changes []checklist.VerdictChange
	last := math.Inf(-1)
	for _, v := range ans.Data.Result[0].Values {
		var ts float64
		var val string
		if json.Unmarshal(v[0], &ts) != nil || json.Unmarshal(v[1], &val) != nil {
			return nil, errors.New("board history from Prometheus: a sample is not [time, \"value\"]")
		}
		// In order, and a time a history can hold (Unix seconds).
		if !(ts > last) || ts < 0 || ts > 1<<40 {
			return nil, fmt.Errorf("board history from Prometheus: sample time %v out of order or out of range", ts)
		}
		last = ts
		verdict := checklist.VerdictNoGo
		if val == "1" {
			verdict = checklist.VerdictGo
		}
		if n := len(changes); n == 0 || changes[n-1].Verdict != verdict {
			changes = append(changes, checklist.VerdictChange{Verdict: verdict, At: time.Unix(int64(ts), 0).UTC()})
		}
	}
	if len(changes) == 0 {
		return nil, errors.New("board history from Prometheus: the series has no samples")
	}
	return changes, nil
}
