package checklist

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An edited attestations file counts from the next evaluation, without a
// reload; an edit that does not load leaves the previous attestations
// counting and says why, with file:line.
func TestAttestationsReadAgainWhenChanged(t *testing.T) {
	m := smallModel(t, "attestations: []\n")
	path := m.Config().ResolvePath("attest.yml")
	allPass := []collector.Result{res("backup", collector.StatusPass, "P1.1.01"), res("restore", collector.StatusPass, "P1.1.02"), res("servers", collector.StatusPass, "P3.1.01")}
	now := goLive.Add(-24 * time.Hour)
	// Each write gets its own modification time, so the test does not
	// depend on the file system's timestamp resolution.
	mtime := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	write := func(body string) {
		t.Helper()
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		mtime = mtime.Add(time.Minute)
		require.NoError(t, os.Chtimes(path, mtime, mtime))
	}
	loaded := func() float64 {
		t.Helper()
		return testutil.ToFloat64(collectorFunc(m.Exporter(func() time.Time { return now }), allPass).(exporterCollector).only("golive_checklist_attestations_last_load_successful"))
	}
	signed := "attestations:\n  - {item: SO.1.01, by: Pat Manager, at: 2026-11-28T09:00:00Z}\n"

	steps := []struct {
		name     string
		change   func()
		state    State
		verdict  string
		errWant  string // substring of AttestationsError; "" for none
		loadedOK bool
		by       string // who attested SO.1.01, when it is attested
	}{
		{"as loaded: nothing attested", func() {}, StateMissing, VerdictNoGo, "", true, ""},
		{"the sign-off appended", func() { write(signed) }, StateAttested, VerdictGo, "", true, "Pat Manager"},
		{"same size, new content", func() {
			write(strings.Replace(signed, "Pat Manager", "Pat Managex", 1))
		}, StateAttested, VerdictGo, "", true, "Pat Managex"},
		{"replaced by a rename, same size and time", func() {
			// As git checkout and editors that save through a temporary
			// file do: another file, even if it looks the same.
			fi, err := os.Stat(path)
			require.NoError(t, err)
			tmp := path + ".tmp"
			require.NoError(t, os.WriteFile(tmp, []byte(strings.Replace(signed, "Pat Managex", "Pat Manager", 1)), 0o600))
			require.NoError(t, os.Chtimes(tmp, fi.ModTime(), fi.ModTime()))
			require.NoError(t, os.Rename(tmp, path))
		}, StateAttested, VerdictGo, "", true, "Pat Manager"},
		{"a bad edit keeps the previous attestations", func() {
			write(signed + "  - {item: P9.9.99, by: Sam, at: 2026-11-28T10:00:00Z}\n")
		}, StateAttested, VerdictGo, `attest.yml:3: item "P9.9.99" is not in the checklist`, false, "Pat Manager"},
		{"the fix is taken", func() { write("attestations: []\n") }, StateMissing, VerdictNoGo, "", true, ""},
		{"the file removed keeps the previous ones", func() {
			write(signed)
			_ = m.Evaluate(allPass, now)
			require.NoError(t, os.Remove(path))
		}, StateAttested, VerdictGo, "reading attestations", false, "Pat Manager"},
	}
	for _, step := range steps {
		step.change()
		st := m.Evaluate(allPass, now)
		so := itemState(t, st, "SO.1.01")
		assert.Equal(t, step.state, so.State, step.name)
		if step.by != "" {
			require.NotNil(t, so.Attestation, step.name)
			assert.Equal(t, step.by, so.Attestation.By, step.name)
		}
		assert.Equal(t, step.verdict, st.Verdict, step.name)
		if step.errWant == "" {
			assert.Empty(t, st.AttestationsError, step.name)
		} else {
			assert.Contains(t, st.AttestationsError, step.errWant, step.name)
		}
		assert.Equal(t, b2f(step.loadedOK), loaded(), step.name)
	}
}
