package backup

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// verifyOnly is a restore check that only runs `pgbackrest verify` through
// a script: the state file's handling needs no database. The script logs
// each call to calls and exits with the number in status.
type verifyOnly struct {
	dir, calls, status, state string
}

func newVerifyOnly(t *testing.T) *verifyOnly {
	t.Helper()
	v := &verifyOnly{dir: t.TempDir()}
	v.calls = filepath.Join(v.dir, "calls")
	v.status = filepath.Join(v.dir, "status")
	v.state = filepath.Join(v.dir, "state", "restore.json")
	require.NoError(t, os.Mkdir(filepath.Dir(v.state), 0o700))
	v.setStatus(t, 0)
	writeScript(t, v.dir, "pgbackrest", "echo \"$@\" >> "+v.calls+"\ns=$(cat "+v.status+")\n[ \"$s\" = 0 ] || echo 'ERROR: [028]: backup set is invalid' >&2\nexit $s\n")
	return v
}

func (v *verifyOnly) setStatus(t *testing.T, code int) {
	t.Helper()
	require.NoError(t, os.WriteFile(v.status, []byte{byte('0' + code)}, 0o600))
}

func (v *verifyOnly) yml(name, stanza string) string {
	return "- name: " + name + "\n  background: true\n  interval: 1d\n  timeout: 20s\n  restore:\n    state_file: state/restore.json\n" +
		"    pgbackrest_verify:\n      stanza: " + stanza + "\n      command: " + filepath.Join(v.dir, "pgbackrest") + "\n"
}

// check builds a new check instance, as a restart or reload does.
func (v *verifyOnly) check(t *testing.T, yml string) *restoreCheck {
	t.Helper()
	c, env := loadCheck(t, v.dir, yml)
	chk, err := newRestore(c, env)
	require.NoError(t, err)
	return chk.(*restoreCheck)
}

func (v *verifyOnly) callCount(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(v.calls)
	if os.IsNotExist(err) {
		return 0
	}
	require.NoError(t, err)
	return strings.Count(string(b), "\n")
}

func (v *verifyOnly) readState(t *testing.T) restoreState {
	t.Helper()
	b, err := os.ReadFile(v.state)
	require.NoError(t, err)
	var st restoreState
	require.NoError(t, json.Unmarshal(b, &st))
	return st
}

// editState rewrites the state file through f.
func (v *verifyOnly) editState(t *testing.T, f func(*restoreState)) {
	t.Helper()
	st := v.readState(t)
	f(&st)
	b, err := json.Marshal(st)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(v.state, b, 0o600))
}

func TestRestoreStateSurvivesRestart(t *testing.T) {
	v := newVerifyOnly(t)
	yml := v.yml("restore_test", "main")

	r, err := runRestoreCheck(t, v.check(t, yml))
	require.NoError(t, err)
	require.Equal(t, 1, v.callCount(t))
	assert.Equal(t, 1.0, value(t, r, "golive_restore_success"))
	attempt := value(t, r, "golive_restore_last_attempt_timestamp_seconds")
	st := v.readState(t)
	assert.Equal(t, "restore_test", st.Check)
	assert.True(t, st.Success)
	require.NotNil(t, st.LastSuccess)
	assert.InDelta(t, attempt, unixSeconds(*st.LastSuccess), 1e-6)
	leftovers, err := filepath.Glob(filepath.Join(filepath.Dir(v.state), ".*tmp*"))
	require.NoError(t, err)
	assert.Empty(t, leftovers, "the atomic write leaves no temporary file")

	// A restart within the interval reports the kept result and runs nothing.
	chk := v.check(t, yml)
	r, err = runRestoreCheck(t, chk)
	require.NoError(t, err)
	assert.Equal(t, 1, v.callCount(t), "no second pgbackrest verify")
	assert.Equal(t, 1.0, value(t, r, "golive_restore_success"))
	assert.Equal(t, attempt, value(t, r, "golive_restore_last_attempt_timestamp_seconds"))
	assert.Equal(t, attempt, value(t, r, "golive_restore_last_success_timestamp_seconds"))
	assert.Equal(t, 1.0, value(t, r, "golive_restore_step_success", "pgbackrest_verify"))
	assert.True(t, cond(t, r, "pgbackrest verify").OK)
	assert.Contains(t, cond(t, r, "result kept across a restart").Observed, v.state)
	assert.Empty(t, failed(r))

	// The scheduler's next run on the same instance restores for real; a
	// failure keeps the last success read from the file.
	v.setStatus(t, 1)
	r, err = runRestoreCheck(t, chk)
	require.NoError(t, err)
	assert.Equal(t, 2, v.callCount(t))
	assert.Equal(t, []string{"pgbackrest verify"}, failed(r))
	assert.Equal(t, 0.0, value(t, r, "golive_restore_success"))
	assert.Equal(t, attempt, value(t, r, "golive_restore_last_success_timestamp_seconds"))
	st = v.readState(t)
	assert.False(t, st.Success)
	require.NotNil(t, st.LastSuccess)
	assert.InDelta(t, attempt, unixSeconds(*st.LastSuccess), 1e-6)

	// Restarted again (say, after fixing the repository): a kept failure
	// is not reported again, the restore runs at once; the last success
	// still comes from the file.
	r, err = runRestoreCheck(t, v.check(t, yml))
	require.NoError(t, err)
	assert.Equal(t, 3, v.callCount(t), "a kept failure runs again after a restart")
	assert.ElementsMatch(t, []string{"pgbackrest verify"}, failed(r))
	assert.Contains(t, cond(t, r, "pgbackrest verify").Observed, "backup set is invalid")
	assert.Equal(t, attempt, value(t, r, "golive_restore_last_success_timestamp_seconds"))
	v.setStatus(t, 0)
	r, err = runRestoreCheck(t, v.check(t, yml))
	require.NoError(t, err)
	assert.Equal(t, 4, v.callCount(t))
	assert.Empty(t, failed(r))
	assert.Greater(t, value(t, r, "golive_restore_last_success_timestamp_seconds"), attempt)
}

func TestRestoreStateOlderThanInterval(t *testing.T) {
	v := newVerifyOnly(t)
	yml := v.yml("restore_test", "main")
	_, err := runRestoreCheck(t, v.check(t, yml))
	require.NoError(t, err)
	old := time.Now().Add(-50 * time.Hour).UTC()
	v.editState(t, func(st *restoreState) { st.Attempt, st.LastSuccess = old, &old })

	v.setStatus(t, 1)
	r, err := runRestoreCheck(t, v.check(t, yml))
	require.NoError(t, err)
	assert.Equal(t, 2, v.callCount(t), "a kept result older than the interval is not reported again")
	assert.Equal(t, 0.0, value(t, r, "golive_restore_success"))
	assert.InDelta(t, unixSeconds(old), value(t, r, "golive_restore_last_success_timestamp_seconds"), 1e-6,
		"the last success survives the restart")
}

func TestRestoreStateOfOtherSettings(t *testing.T) {
	v := newVerifyOnly(t)
	_, err := runRestoreCheck(t, v.check(t, v.yml("restore_test", "main")))
	require.NoError(t, err)

	t.Run("changed settings restore again", func(t *testing.T) {
		r, err := runRestoreCheck(t, v.check(t, v.yml("restore_test", "other")))
		require.NoError(t, err)
		assert.Equal(t, 2, v.callCount(t))
		assert.Contains(t, readFileString(t, v.calls), "--stanza=other")
		_, kept := lookup(r, "golive_restore_last_success_timestamp_seconds")
		assert.True(t, kept, "this run succeeded")
		assert.Empty(t, failed(r))
	})
	t.Run("another check's state", func(t *testing.T) {
		v.setStatus(t, 1)
		r, err := runRestoreCheck(t, v.check(t, v.yml("second_restore", "other")))
		require.NoError(t, err)
		assert.Equal(t, 3, v.callCount(t))
		w := cond(t, r, "restore state readable")
		assert.True(t, w.Warning)
		assert.Contains(t, w.Observed, `belongs to check "restore_test"; give each restore check its own state_file`)
		_, has := lookup(r, "golive_restore_last_success_timestamp_seconds")
		assert.False(t, has, "another check's success is not this one's")
		assert.Equal(t, "second_restore", v.readState(t).Check)
	})
}

func TestRestoreStateFaults(t *testing.T) {
	for _, tc := range []struct {
		name, content, msg string
	}{
		{"corrupt", `{"version":1,"check":"restore_test","last_att`, "is not valid JSON"},
		{"other version", `{"version":99,"check":"restore_test","last_attempt":"2026-11-28T03:00:00Z"}`, "has version 99"},
		{"no attempt", `{"version":1,"check":"restore_test"}`, "has no last_attempt"},
		{"too large", `{"version":1,"check":"` + strings.Repeat("x", maxStateFile) + `"}`, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerifyOnly(t)
			require.NoError(t, os.WriteFile(v.state, []byte(tc.content), 0o600))
			r, err := runRestoreCheck(t, v.check(t, v.yml("restore_test", "main")))
			require.NoError(t, err)
			assert.Equal(t, 1, v.callCount(t), "the restore runs")
			w := cond(t, r, "restore state readable")
			assert.True(t, w.Warning)
			assert.False(t, w.OK)
			assert.Contains(t, w.Observed, tc.msg)
			assert.Empty(t, failed(r))
			st := v.readState(t)
			assert.True(t, st.Success, "the file is rewritten after the run")
			for _, c := range st.Conditions {
				assert.NotEqual(t, condStateReadable, c.Name, "the warning is about this start, not kept")
			}
		})
	}

	t.Run("state folder missing", func(t *testing.T) {
		v := newVerifyOnly(t)
		yml := strings.Replace(v.yml("restore_test", "main"), "state/restore.json", "nope/restore.json", 1)
		r, err := runRestoreCheck(t, v.check(t, yml))
		require.NoError(t, err)
		w := cond(t, r, "restore state saved")
		assert.True(t, w.Warning)
		assert.False(t, w.OK)
		assert.Contains(t, w.Observed, "create the folder")
		assert.Equal(t, 1.0, value(t, r, "golive_restore_success"), "the restore itself succeeded")
	})

	t.Run("a kept error is saved with its reason and runs again", func(t *testing.T) {
		v := newVerifyOnly(t)
		yml := strings.Replace(v.yml("restore_test", "main"), "command: "+filepath.Join(v.dir, "pgbackrest"), "command: "+filepath.Join(v.dir, "gone"), 1)
		_, err := runRestoreCheck(t, v.check(t, yml))
		require.Error(t, err)
		require.Equal(t, collector.ReasonNotFound, collector.ReasonOf(err))
		st := v.readState(t)
		assert.False(t, st.Success)
		assert.Equal(t, collector.ReasonNotFound, st.Reason)
		assert.Contains(t, st.Error, "install it or set the path")
		assert.Nil(t, st.LastSuccess)

		r, err := runRestoreCheck(t, v.check(t, yml))
		require.Error(t, err)
		assert.Equal(t, collector.ReasonNotFound, collector.ReasonOf(err))
		_, kept := lookup(r, "golive_restore_last_success_timestamp_seconds")
		assert.False(t, kept, "never succeeded")
		for _, c := range r.Conditions() {
			assert.NotEqual(t, "result kept across a restart", c.Name, "a failure is not replayed")
		}
	})

	t.Run("a replayed failure keeps its reason", func(t *testing.T) {
		st := &restoreState{Attempt: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC), Reason: collector.ReasonTimeout, Error: "pg_restore did not finish in time",
			Samples: []stateSample{{Name: "golive_restore_success", Value: 0}, {Name: "golive_restore_step_success", Labels: []string{"restore"}, Value: 0}}}
		r := &collector.Report{}
		err := st.replay(r, "state.json", 24*time.Hour)
		require.Error(t, err)
		assert.Equal(t, collector.ReasonTimeout, collector.ReasonOf(err))
		assert.Equal(t, "restore test of 2026-11-28T03:00:00Z: pg_restore did not finish in time", err.Error())
		assert.Equal(t, 0.0, value(t, r, "golive_restore_step_success", "restore"))
	})

	t.Run("a cancelled run keeps the state before it", func(t *testing.T) {
		v := newVerifyOnly(t)
		yml := v.yml("restore_test", "main")
		_, err := runRestoreCheck(t, v.check(t, yml))
		require.NoError(t, err)
		before := readFileString(t, v.state)
		started := filepath.Join(v.dir, "started")
		writeScript(t, v.dir, "pgbackrest", "touch "+started+"\nsleep 30 &\nsleep 30\n")
		chk := v.check(t, yml)
		chk.takeKept() // as if the first run after the start had reported it
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- chk.Run(ctx, &collector.Report{}) }()
		require.Eventually(t, func() bool { _, err := os.Stat(started); return err == nil }, 20*time.Second, 10*time.Millisecond)
		cancel() // a reload or shutdown
		select {
		case err = <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not return after its context was cancelled")
		}
		require.Error(t, err)
		assert.Equal(t, before, readFileString(t, v.state))
	})
}

func TestRestoreStateConfig(t *testing.T) {
	assert.Contains(t, loadErr(t, "- name: r\n  background: true\n  interval: 1d\n  restore:\n    state_file: /var/lib/golive/\n    pgbackrest_verify: {stanza: main}\n"),
		"is a folder; name a file in it")
	// Passwords never reach the state file, not even hashed: the
	// fingerprint does not change with them.
	c1, _ := loadCheck(t, t.TempDir(), "- name: r\n  background: true\n  interval: 1d\n  restore:\n    glob: /x/*.dump\n    dsn: postgres://u:one@h/postgres\n")
	c2, _ := loadCheck(t, t.TempDir(), "- name: r\n  background: true\n  interval: 1d\n  restore:\n    glob: /x/*.dump\n    dsn: postgres://u:two@h/postgres\n    password: three\n")
	c3, _ := loadCheck(t, t.TempDir(), "- name: r\n  background: true\n  interval: 1d\n  restore:\n    glob: /x/*.dump\n    dsn: postgres://u:two@other/postgres\n")
	assert.Equal(t, configFingerprint(c1.Spec().(*RestoreCheck)), configFingerprint(c2.Spec().(*RestoreCheck)))
	assert.NotEqual(t, configFingerprint(c1.Spec().(*RestoreCheck)), configFingerprint(c3.Spec().(*RestoreCheck)))
	// Nor with where the password comes from: moving from the deprecated
	// password_env to password_ref keeps the kept result.
	withPassword := func(pw string) string {
		c, _ := loadCheck(t, t.TempDir(), "- name: r\n  background: true\n  interval: 1d\n  restore:\n    glob: /x/*.dump\n    dsn: postgres://u@h/postgres\n"+pw)
		return configFingerprint(c.Spec().(*RestoreCheck))
	}
	for _, pw := range []string{"password_env: PGPASS_GOLIVE", "password_ref: PGPASS_GOLIVE", "source_password_ref: PGPASS_GOLIVE"} {
		assert.Equal(t, withPassword(""), withPassword("    "+pw+"\n"), pw)
	}
}

func readFileString(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return string(b)
}
