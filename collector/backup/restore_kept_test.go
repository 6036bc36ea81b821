package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keptFixture is a dump folder whose nightly dump was restored for real by
// a restore check with a state file, as last night's run leaves it.
type keptFixture struct {
	dir, folder, yml, state string
	// kept is the dump last night's restore test used.
	kept   string
	keptAt time.Time
}

func (f *keptFixture) dumpName(src string, at time.Time) string {
	return "backup_" + src + "_" + at.UTC().Format("20060102_150405") + ".sql.gz"
}

// The false GO: a kept restore success must be tied to the dump it
// tested. A newer dump gets the cheap readability test at once and fails
// the check when it is truncated; a readable one warns until the real
// restore runs; a kept result whose dump is gone or changed is no pass.
func TestRestoreKeptResultAndNewerDump(t *testing.T) {
	needTools(t, "pg_dump", "pg_restore", "psql", "gzip")
	admin := adminConn(t)
	src := sourceDB(t, admin)
	prefix := "gl_kept_" + randSuffix(t) + "_"
	t.Cleanup(func() {
		for _, n := range scratchDatabases(t, admin, prefix) {
			admin.Exec(context.Background(), "DROP DATABASE "+n+" WITH (FORCE)") //nolint:errcheck
		}
	})
	sql := string(pgDump(t, src, "-Fp"))
	good := gzipped(t, sql)
	now := time.Now()

	// setup restores last night's dump for real and returns the folder.
	setup := func(t *testing.T) *keptFixture {
		t.Helper()
		f := &keptFixture{dir: t.TempDir(), keptAt: now.Add(-20 * time.Hour).Truncate(time.Second)}
		f.folder = filepath.Join(f.dir, "dumps")
		require.NoError(t, os.Mkdir(f.folder, 0o700))
		f.state = filepath.Join(f.dir, "restore-state.json")
		f.kept = f.dumpName(src, f.keptAt)
		writeDump(t, f.folder, f.kept, good, 0o600, f.keptAt.Add(2*time.Minute))
		f.yml = fmt.Sprintf(`
- name: restore_test
  background: true
  interval: 1d
  timeout: 50s
  restore:
    glob: dumps/backup_*.sql.gz
    name_pattern: backup_*_%%Y%%m%%d_%%H%%M%%S.sql.gz
    name_timezone: UTC
    dsn: %s
    scratch_prefix: %s
    tables:
      - name: students
        min_rows: 1000
    state_file: restore-state.json
`, testServer, prefix)
		r, err := runRestore(t, f.dir, f.yml)
		require.NoError(t, err)
		require.Empty(t, failed(r), "%+v", r.Conditions())
		require.True(t, cond(t, r, "restore").OK)
		return f
	}
	// restart runs a new instance (a restart, or `golive_exporter check`
	// on go-live morning) and returns it with its first report.
	restart := func(t *testing.T, f *keptFixture) (*restoreCheck, *collector.Report, error) {
		t.Helper()
		c, env := loadCheck(t, f.dir, f.yml)
		chk, err := newRestore(c, env)
		require.NoError(t, err)
		r, err := runRestoreCheck(t, chk)
		return chk.(*restoreCheck), r, err
	}
	hasCond := func(r *collector.Report, name string) bool {
		for _, c := range r.Conditions() {
			if c.Name == name {
				return true
			}
		}
		return false
	}

	t.Run("a truncated newer dump fails at once", func(t *testing.T) {
		for _, tc := range []struct {
			name, why string
			data      []byte
		}{
			// The file cut short (disk full, copy interrupted): gzip -t fails.
			{"file cut", "exited with status", good[:len(good)/2]},
			// pg_dump died mid-way but gzip closed its stream (a script
			// without pipefail): only the closing line is missing.
			{"dump cut", "truncated", gzipped(t, sql[:strings.LastIndex(sql, "-- PostgreSQL database dump complete")])},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := setup(t)
				before := readFileString(t, f.state)
				newAt := now.Add(-time.Hour).Truncate(time.Second)
				newer := f.dumpName(src, newAt)
				writeDump(t, f.folder, newer, tc.data, 0o600, newAt.Add(2*time.Minute))

				_, r, err := restart(t, f)
				require.NoError(t, err)
				assert.Equal(t, []string{"newest dump readable"}, failed(r), "%+v", r.Conditions())
				c := cond(t, r, "newest dump readable")
				assert.Contains(t, c.Observed, newer)
				assert.Contains(t, c.Observed, tc.why)
				assert.Empty(t, scratchDatabases(t, admin, prefix), "no restore ran")
				assert.Equal(t, before, readFileString(t, f.state), "the kept result stays as it was")
			})
		}
	})

	t.Run("an unreadable newer dump fails at once", func(t *testing.T) {
		f := setup(t)
		newer := f.dumpName(src, now.Add(-time.Hour))
		require.NoError(t, os.Symlink(newer, filepath.Join(f.folder, newer)))
		_, r, err := restart(t, f)
		require.NoError(t, err)
		assert.Equal(t, []string{"newest dump readable"}, failed(r), "%+v", r.Conditions())
		assert.Equal(t, newer+": too many levels of symbolic links", cond(t, r, "newest dump readable").Observed)
		assert.True(t, cond(t, r, "dump folder entries readable").Warning)
	})

	t.Run("a readable newer dump warns until its restore runs", func(t *testing.T) {
		f := setup(t)
		newAt := now.Add(-time.Hour).Truncate(time.Second)
		newer := f.dumpName(src, newAt)
		writeDump(t, f.folder, newer, good, 0o600, newAt.Add(2*time.Minute))

		chk, r, err := restart(t, f)
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.True(t, cond(t, r, "result kept across a restart").OK)
		assert.True(t, cond(t, r, "newest dump readable").OK)
		w := cond(t, r, "newest dump restore-tested")
		assert.True(t, w.Warning)
		assert.False(t, w.OK)
		assert.Regexp(t, "^restore verified for "+regexp.QuoteMeta(f.kept)+` \(\S+ ago\); newest dump `+regexp.QuoteMeta(newer)+" not yet restore-tested$", w.Observed)
		assert.Equal(t, float64(f.keptAt.Unix()), value(t, r, "golive_restore_dump_timestamp_seconds"), "the figures are the kept test's")

		// The scheduler's next run restores the newest dump for real.
		r, err = runRestoreCheck(t, chk)
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.True(t, cond(t, r, "restore").OK)
		assert.False(t, hasCond(r, "newest dump restore-tested"))
		assert.Equal(t, float64(newAt.Unix()), value(t, r, "golive_restore_dump_timestamp_seconds"))
		assert.Contains(t, readFileString(t, f.state), newer, "the state names the dump it tested")
	})

	t.Run("the same dump is reported again", func(t *testing.T) {
		f := setup(t)
		before := readFileString(t, f.state)
		_, r, err := restart(t, f)
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.True(t, cond(t, r, "result kept across a restart").OK)
		assert.False(t, hasCond(r, "newest dump restore-tested"))
		assert.Equal(t, before, readFileString(t, f.state), "no restore ran")
	})

	t.Run("a kept result whose dump is gone is no pass", func(t *testing.T) {
		f := setup(t)
		require.NoError(t, os.Remove(filepath.Join(f.folder, f.kept)))
		_, r, err := restart(t, f)
		require.Error(t, err, "no dump left: %+v", r.Conditions())
		assert.Equal(t, collector.ReasonNotFound, collector.ReasonOf(err))
		assert.False(t, hasCond(r, "result kept across a restart"))

		// With a newer dump beside it, that one is restored for real.
		f = setup(t)
		newAt := now.Add(-time.Hour).Truncate(time.Second)
		writeDump(t, f.folder, f.dumpName(src, newAt), good, 0o600, newAt.Add(2*time.Minute))
		require.NoError(t, os.Remove(filepath.Join(f.folder, f.kept)))
		_, r, err = restart(t, f)
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.True(t, cond(t, r, "restore").OK, "restored again")
		assert.Contains(t, cond(t, r, "kept restore result").Observed, f.kept+", restored by the test of ")
		assert.Contains(t, cond(t, r, "kept restore result").Observed, "is gone")
		assert.Equal(t, float64(newAt.Unix()), value(t, r, "golive_restore_dump_timestamp_seconds"))
	})

	t.Run("a kept result whose dump changed is no pass", func(t *testing.T) {
		f := setup(t)
		writeDump(t, f.folder, f.kept, good[:len(good)/2], 0o600, f.keptAt.Add(2*time.Minute))
		_, r, err := restart(t, f)
		require.NoError(t, err)
		assert.Equal(t, []string{"dump readable"}, failed(r), "%+v", r.Conditions())
		assert.Contains(t, cond(t, r, "kept restore result").Observed, "changed since")
	})

	t.Run("a kept result that names no dump is no pass", func(t *testing.T) {
		f := setup(t)
		v := &verifyOnly{state: f.state}
		v.editState(t, func(st *restoreState) { st.Dump = nil })
		_, r, err := restart(t, f)
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.True(t, cond(t, r, "restore").OK, "restored again")
		assert.Contains(t, cond(t, r, "kept restore result").Observed, "names no dump")
	})
}
