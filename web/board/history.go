package board

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/files"
)

// History bounds: the verdict's changes are kept HistoryRetention (the
// board draws the last days), at most maxVerdictChanges of them (a verdict
// flapping every scrape for a week stays small), and a history file larger
// than maxHistoryFile is not read.
const (
	HistoryRetention  = 7 * 24 * time.Hour
	maxVerdictChanges = 500
	maxHistoryFile    = 1 << 20
	historyVersion    = 1
)

// HistoryFileName is the history file's name under the state directory
// (systemd's StateDirectory=).
const HistoryFileName = "board-history.json"

// History remembers when each item and the verdict last changed state, so
// that the board can say "failing since 09:12", "passing for 3d" and "NO-GO
// since 10:42, was GO for 2h". It is kept in a small JSON file, written
// atomically on every change and read at start, so it survives restarts;
// without a file it lives in memory. It is safe for concurrent use: the
// scrapes and the board record into the same History.
type History struct {
	path   string
	logger *slog.Logger
	mu     sync.Mutex
	data   historyData
}

// historyData is the file's content.
type historyData struct {
	Version int `json:"version"`
	// Start is when the history began.
	Start time.Time `json:"start"`
	// Verdict holds the verdict's changes, oldest first.
	Verdict []checklist.VerdictChange `json:"verdict"`
	// Items holds each item's state and since when.
	Items map[string]itemRecord `json:"items"`
}

type itemRecord struct {
	State checklist.State `json:"state"`
	Since time.Time       `json:"since"`
}

// OpenHistory reads the history kept in path, or starts one (path "":
// in memory only). When the file cannot be written it returns a history in
// memory and the error. A file that cannot be read as a history (corrupt,
// too large, another version) is moved aside to path.corrupt with a
// warning and a fresh history starts: the history is a convenience, never
// a reason not to start.
func OpenHistory(path string, logger *slog.Logger, now time.Time) (*History, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &History{path: path, logger: logger, data: historyData{Version: historyVersion, Start: now, Items: map[string]itemRecord{}}}
	if path == "" {
		return h, nil
	}
	d, err := readHistory(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		aside := path + ".corrupt"
		logger.Warn("board history not readable; starting a fresh one", "file", path, "moved_to", aside, "err", err)
		if rerr := os.Rename(path, aside); rerr != nil {
			logger.Warn("board history: could not move the unreadable file aside", "file", path, "err", rerr)
		}
	default:
		h.data = d
		return h, nil
	}
	// Check now, not at the first change, that the file can be written;
	// if not, the history lives in memory (the error says why).
	if err := h.save(); err != nil {
		h.path = ""
		return h, err
	}
	return h, nil
}

func readHistory(path string) (historyData, error) {
	var d historyData
	f, err := os.Open(path)
	if err != nil {
		return d, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxHistoryFile+1))
	if err != nil {
		return d, err
	}
	if len(b) > maxHistoryFile {
		return d, fmt.Errorf("larger than %d bytes", maxHistoryFile)
	}
	return decodeHistory(b)
}

// decodeHistory reads a history file's content.
func decodeHistory(b []byte) (historyData, error) {
	var d historyData
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("not a board history: %w", err)
	}
	if d.Version != historyVersion {
		return d, fmt.Errorf("history version %d, this exporter writes %d", d.Version, historyVersion)
	}
	if d.Start.IsZero() {
		return d, errors.New("no start time")
	}
	if d.Items == nil {
		d.Items = map[string]itemRecord{}
	}
	return d, nil
}

// save writes the history atomically: a temporary file in the same
// folder, synced, then renamed over the old one, so a crash leaves the
// old history or the new one, never half of one. Called with mu held.
func (h *History) save() error {
	if h.path == "" {
		return nil
	}
	b, err := json.Marshal(h.data)
	if err != nil {
		return err
	}
	if err := files.WriteAtomic(h.path, b); err != nil {
		return fmt.Errorf("board history: %w", err)
	}
	return nil
}

// warmingUp reports whether a bound check of it has no result yet (just
// after a start or reload): its state says nothing about the item then.
func warmingUp(it checklist.ItemStatus) bool {
	for _, c := range it.Checks {
		if c.Reason == collector.ReasonNotRunYet {
			return true
		}
	}
	return false
}

// Record notes st's verdict and item states: a state is recorded when it
// differs from the one recorded before, with st.Now as its start, so a
// state seen on every scrape is recorded once. Items whose checks have not
// run yet keep what they had (a restart does not reset "passing for 3d"),
// and while any has, the verdict is not recorded either. Items no longer in
// the checklist are forgotten. The file is written only on a change.
func (h *History) Record(st *checklist.Status) {
	if h == nil || st.ForGoLive {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	changed := false
	seen := make(map[string]bool, len(h.data.Items))
	complete := true
	for _, p := range st.Phases {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				seen[it.ID] = true
				if warmingUp(it) {
					complete = false
					continue
				}
				if rec, ok := h.data.Items[it.ID]; !ok || rec.State != it.State {
					h.data.Items[it.ID] = itemRecord{State: it.State, Since: st.Now}
					changed = true
				}
			}
		}
	}
	for id := range h.data.Items {
		if !seen[id] {
			delete(h.data.Items, id)
			changed = true
		}
	}
	if n := len(h.data.Verdict); complete && (n == 0 || h.data.Verdict[n-1].Verdict != st.Verdict) {
		h.data.Verdict = append(h.data.Verdict, checklist.VerdictChange{Verdict: st.Verdict, At: st.Now})
		changed = true
	}
	if h.prune(st.Now) {
		changed = true
	}
	if changed {
		if err := h.save(); err != nil {
			h.logger.Warn("board history not saved; it is kept in memory", "file", h.path, "err", err)
		}
	}
}

// prune drops the verdict changes older than the retention, but keeps
// the newest of them (the verdict at the window's start), and keeps at
// most maxVerdictChanges.
func (h *History) prune(now time.Time) bool {
	v := h.data.Verdict
	cut := 0
	for cut+1 < len(v) && now.Sub(v[cut+1].At) > HistoryRetention {
		cut++
	}
	if n := len(v) - cut; n > maxVerdictChanges {
		cut += n - maxVerdictChanges
	}
	if cut == 0 {
		return false
	}
	h.data.Verdict = append([]checklist.VerdictChange(nil), v[cut:]...)
	return true
}

// Annotate writes the history into st: each item's StateSince (when the
// recorded state is the item's state now) and the verdict's History.
func (h *History) Annotate(st *checklist.Status) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for pi := range st.Phases {
		for si := range st.Phases[pi].Sections {
			items := st.Phases[pi].Sections[si].Items
			for i := range items {
				if rec, ok := h.data.Items[items[i].ID]; ok && rec.State == items[i].State {
					t := rec.Since
					items[i].StateSince = &t
				}
			}
		}
	}
	v := h.data.Verdict
	if len(v) == 0 || v[len(v)-1].Verdict != st.Verdict {
		// Not recorded yet (warming up): nothing true to say.
		return
	}
	vh := &checklist.VerdictHistory{Start: h.data.Start, Since: v[len(v)-1].At, Changes: append([]checklist.VerdictChange(nil), v...)}
	if len(v) > 1 {
		prev := v[len(v)-2]
		vh.Previous = prev.Verdict
		t := prev.At
		vh.PreviousSince = &t
	}
	st.History = vh
}
