package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
	"unicode/utf8"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/golive/golive_exporter/internal/files"
	"github.com/golive/golive_exporter/internal/human"
)

// stateVersion is the layout of the state file; a file of another version
// is ignored (the next run writes a new one).
const stateVersion = 1

// maxStateFile bounds reading the state file: it holds one run's samples
// and conditions, a few KiB.
const maxStateFile = 4 << 20

// Conditions about this start's use of the state file, not about the
// restore: they are never written to the state file.
const (
	// condStateReadable is the warning a first run adds when the state
	// file could not be read.
	condStateReadable = "restore state readable"
	// condKeptResult says why a kept result was not reported again.
	condKeptResult = "kept restore result"
)

// restoreDescs names every family the restore check records, with its
// number of labels (the check label aside), so that a result read back
// from the state file maps to the same descriptors and never to a metric
// that would break the scrape.
var restoreDescs = map[string]struct {
	desc   *prometheus.Desc
	labels int
}{
	"golive_restore_last_attempt_timestamp_seconds": {restoreAttemptDesc, 0},
	"golive_restore_last_success_timestamp_seconds": {restoreSuccessTSDesc, 0},
	"golive_restore_duration_seconds":               {restoreDurationDesc, 0},
	"golive_restore_success":                        {restoreSuccessDesc, 0},
	"golive_restore_rows_checked":                   {restoreRowsCheckedDesc, 0},
	"golive_restore_table_rows":                     {restoreTableRowsDesc, 1},
	"golive_restore_source_table_rows":              {restoreSourceRowsDesc, 1},
	"golive_restore_dump_timestamp_seconds":         {restoreDumpTSDesc, 0},
	"golive_restore_dump_size_bytes":                {restoreDumpSizeDesc, 0},
	"golive_restore_step_success":                   {restoreStepDesc, 1},
}

// restoreState is what the state file keeps of the last finished restore
// test: enough to report it again after a restart, exactly as it was.
type restoreState struct {
	Version int    `json:"version"`
	Check   string `json:"check"`
	// Config fingerprints the restore settings: a result of other settings
	// (a table added, another glob) is never shown as this one's.
	Config      string                `json:"config"`
	Attempt     time.Time             `json:"last_attempt"`
	Success     bool                  `json:"success"`
	LastSuccess *time.Time            `json:"last_success,omitempty"`
	Reason      collector.Reason      `json:"reason,omitempty"`
	Error       string                `json:"error,omitempty"`
	Conditions  []collector.Condition `json:"conditions,omitempty"`
	Samples     []stateSample         `json:"samples,omitempty"`
	// Dump is the dump the test restored: a kept result stands for that
	// file only, as it was (absent when only pgbackrest verify ran).
	Dump *stateDump `json:"dump,omitempty"`
}

// stateDump identifies a dump file by path, size and modification time.
type stateDump struct {
	Path    string    `json:"path"`
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
}

// matches says whether d is the dump the kept result tested, unchanged.
func (s *stateDump) matches(d dump) bool {
	return d.Path == s.Path && d.Size == s.Size && d.ModTime.Equal(s.ModTime)
}

type stateSample struct {
	Name   string   `json:"name"`
	Labels []string `json:"labels,omitempty"`
	Value  float64  `json:"value"`
}

// configFingerprint hashes the settings that decide a restore test's
// outcome. Passwords (and where they come from: moving from password_env
// to password_ref keeps the result) are left out and DSNs masked first, so
// the state file holds nothing secret, not even a hash of it.
func configFingerprint(c *RestoreCheck) string {
	cp := *c
	cp.Password, cp.PasswordFile, cp.PasswordRef, cp.PasswordEnv = "", "", "", ""
	cp.SourcePassword, cp.SourcePasswordFile, cp.SourcePasswordRef, cp.SourcePasswordEnv = "", "", "", ""
	cp.DSN, cp.SourceDSN = config.MaskDSN(cp.DSN), config.MaskDSN(cp.SourceDSN)
	cp.StateFile = ""
	b, err := json.Marshal(cp)
	if err != nil {
		// Every field is plain data; this cannot happen, but an empty
		// fingerprint would match any file: make it match none.
		return "unmarshalable:" + err.Error()
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// loadRestoreState reads the state file; a missing file is no state.
func loadRestoreState(path string) (*restoreState, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading restore state %s: %w", path, err)
	}
	defer f.Close()
	return decodeRestoreState(&limitReader{r: f, left: maxStateFile}, path)
}

// decodeRestoreState decodes and checks a state file's content.
func decodeRestoreState(rd io.Reader, path string) (*restoreState, error) {
	var st restoreState
	if err := json.NewDecoder(rd).Decode(&st); err != nil {
		return nil, fmt.Errorf("restore state %s is not valid JSON (it is rewritten after the next run): %w", path, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("restore state %s has version %d, this exporter writes %d; it is rewritten after the next run", path, st.Version, stateVersion)
	}
	if st.Attempt.IsZero() {
		return nil, fmt.Errorf("restore state %s has no last_attempt; it is rewritten after the next run", path)
	}
	return &st, nil
}

// limitReader fails once more than left bytes were read, so that a huge
// file in the state's place cannot take the exporter's memory.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, fmt.Errorf("larger than %d bytes", maxStateFile)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// saveRestoreState writes the state file atomically: a temporary file in
// the same folder, synced, then renamed over the old one, so a crash or a
// full disk leaves the previous state, never half a file.
func saveRestoreState(path string, st *restoreState) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding restore state: %w", err)
	}
	if err := files.WriteAtomic(path, append(data, '\n')); err != nil {
		return fmt.Errorf("restore state: %w", err)
	}
	return nil
}

// stateFrom captures a finished run's report.
func stateFrom(check, fingerprint string, attempt time.Time, ok bool, lastSuccess time.Time, tested *dump, runErr error, r *collector.Report) *restoreState {
	st := &restoreState{Version: stateVersion, Check: check, Config: fingerprint, Attempt: attempt.UTC(), Success: ok}
	if tested != nil {
		st.Dump = &stateDump{Path: tested.Path, Name: tested.Name, Size: tested.Size, ModTime: tested.ModTime.UTC()}
	}
	for _, c := range r.Conditions() {
		// The folder's unreadable entries are judged afresh by each run.
		if c.Name != condStateReadable && c.Name != condKeptResult && c.Name != condSkipped {
			st.Conditions = append(st.Conditions, c)
		}
	}
	if !lastSuccess.IsZero() {
		ls := lastSuccess.UTC()
		st.LastSuccess = &ls
	}
	if runErr != nil {
		st.Reason, st.Error = collector.ReasonOf(runErr), runErr.Error()
	}
	names := make(map[*prometheus.Desc]string, len(restoreDescs))
	for n, d := range restoreDescs {
		names[d.desc] = n
	}
	for _, s := range r.Samples() {
		if n, known := names[s.Desc]; known {
			st.Samples = append(st.Samples, stateSample{Name: n, Labels: s.Labels, Value: s.Value})
		}
	}
	return st
}

// replay reports a kept result again: the same samples and conditions, and
// the same error with its reason. A condition says where it came from.
func (st *restoreState) replay(r *collector.Report, path string, interval time.Duration) error {
	for _, s := range st.Samples {
		// The file may have been edited by hand: a sample that does not
		// fit its family is left out rather than failing the scrape.
		if d, ok := restoreDescs[s.Name]; ok && len(s.Labels) == d.labels && validLabels(s.Labels) {
			r.Gauge(d.desc, s.Value, s.Labels...)
		}
	}
	for _, c := range st.Conditions {
		if c.Warning {
			r.Warn(c.Name, c.OK, c.Observed, c.Expected)
		} else {
			r.Assert(c.Name, c.OK, c.Observed, c.Expected)
		}
	}
	when := st.Attempt.UTC().Format(time.RFC3339)
	r.Assert("result kept across a restart", true,
		fmt.Sprintf("the restore test of %s, read from %s", when, path),
		"a result younger than the interval ("+human.Duration(interval)+") is reported again; the next test runs one interval later")
	if st.Error != "" {
		reason := st.Reason
		if reason == "" {
			reason = collector.ReasonError
		}
		return collector.Failf(reason, "restore test of %s: %s", when, st.Error)
	}
	return nil
}

func validLabels(values []string) bool {
	for _, v := range values {
		if !utf8.ValidString(v) {
			return false
		}
	}
	return true
}
