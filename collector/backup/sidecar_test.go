package backup

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedMeta is the sidecar the seed application's nightly backup script
// (bs1gr/AUT_MIEEK_SMS, scripts/backup-database.sh) writes beside each
// dump: backup_<db>_<YYYYmmdd_HHMMSS>.meta next to the .sql.gz, with the
// dump's name and size. Only on success: a failure leaves .backup_error.
const seedMeta = `{
  "timestamp": "2026-11-09T02:00:03Z",
  "database": "student_management",
  "host": "postgres",
  "port": 5432,
  "backup_file": "%[1]s",
  "size_bytes": %[2]d,
  "size_human": "4.0K",
  "compression": "gzip",
  "status": "success",
  "pg_version": " PostgreSQL 16.4 on x86_64-pc-linux-musl, compiled by gcc (Alpine 13.2.1_git20240309) 13.2.1 20240309, 64-bit"
}
`

// The sidecar keys: boolean success as restore_result takes it, a sidecar
// the configuration can require, a sidecar without a status said plainly,
// and the seed application's .meta sidecars read where its script puts them.
func TestDumpFolderSidecars(t *testing.T) {
	const metaYML = "    sidecar_suffix: .meta\n    sidecar_replace_suffix: .sql.gz\n"
	json := func(newest string) string { return newest + ".json" }
	meta := func(newest string) string { return strings.TrimSuffix(newest, ".sql.gz") + ".meta" }
	for _, tc := range []struct {
		name    string
		yml     string
		sidecar func(newest string) string // nil: no sidecar
		content string                     // %[1]s the dump's name, %[2]d its size
		failed  []string
		// observed is the sidecar condition's observation ("" when there
		// must be no sidecar condition).
		observed string
	}{
		{"boolean success", "", json, `{"success": true, "size_bytes": %[2]d}`, nil, "success true, size %[2]d (file has %[2]d)"},
		{"boolean failure", "", json, `{"success": false, "error": "pg_dump: error: connection refused"}`,
			[]string{"newest dump's sidecar"}, "success false: pg_dump: error: connection refused"},
		{"status wins over success", "", json, `{"status": "failed", "success": true}`, []string{"newest dump's sidecar"}, `status "failed"`},
		{"no status", "", json, `{"size": %[2]d}`, []string{"newest dump's sidecar"},
			`%[1]s.json has neither "status" nor "success": it does not say whether the backup succeeded`},
		{"not required, absent", "", nil, "", nil, ""},
		{"required, absent", "    require_sidecar: true\n", nil, "", []string{"newest dump's sidecar"},
			"no sidecar %[1]s.json beside the newest dump"},
		{"the seed's .meta", metaYML + "    require_sidecar: true\n", meta, seedMeta, nil,
			`status "success", size %[2]d (file has %[2]d)`},
		{"the seed's .meta, absent", metaYML + "    require_sidecar: true\n", nil, "", []string{"newest dump's sidecar"},
			"no sidecar backup_app_20261109_020000.meta beside the newest dump"},
		{"a sidecar of another dump", metaYML, meta, strings.Replace(seedMeta, `"%[1]s"`, `"backup_app_20261108_020000.sql.gz"`, 1),
			[]string{"newest dump's sidecar"}, "backup_app_20261109_020000.meta names backup_app_20261108_020000.sql.gz, not %[1]s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, last := goodFolder(t)
			folder := filepath.Join(dir, "dumps")
			newest := "backup_app_" + last.Format("20060102_150405") + ".sql.gz"
			require.NoError(t, os.Remove(filepath.Join(folder, newest+".json")))
			fi, err := os.Stat(filepath.Join(folder, newest))
			require.NoError(t, err)
			fill := func(s string) string {
				if !strings.Contains(s, "%[") {
					return s
				}
				return fmt.Sprintf(s, newest, fi.Size())
			}
			if tc.sidecar != nil {
				require.NoError(t, os.WriteFile(filepath.Join(folder, tc.sidecar(newest)), []byte(fill(tc.content)), 0o600))
			}
			r, err := runDumpFolder(t, dir, folderYML+tc.yml, last.Add(time.Hour))
			require.NoError(t, err)
			assert.Equal(t, tc.failed, failed(r), "%+v", r.Conditions())
			if tc.observed == "" {
				for _, c := range r.Conditions() {
					assert.NotEqual(t, "newest dump's sidecar", c.Name)
				}
				return
			}
			assert.Equal(t, fill(tc.observed), cond(t, r, "newest dump's sidecar").Observed)
		})
	}
	assert.Contains(t, loadErr(t, "- name: d\n  dump_folder:\n    glob: /x/*\n    sidecar_suffix: a/b\n"), "sidecar_suffix")
	assert.Contains(t, loadErr(t, "- name: d\n  dump_folder:\n    glob: /x/*.gz\n    sidecar_replace_suffix: a/.gz\n"), "sidecar_replace_suffix")
}

// docs/backup.md names every sidecar key the check reads.
func TestDocsSidecarKeys(t *testing.T) {
	doc := testutil.Doc(t, "backup.md")
	start := strings.Index(doc, "### Sidecars")
	require.GreaterOrEqual(t, start, 0, "docs/backup.md has no Sidecars section")
	section := doc[start+1:]
	if end := strings.Index(section, "\n#"); end >= 0 {
		section = section[:end]
	}
	typ := reflect.TypeFor[sidecar]()
	for i := range typ.NumField() {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		assert.Contains(t, section, "`"+key+"`", "the sidecar key %s is read but not documented", key)
	}
}

// The seed application's backup folder as its script leaves it: dumps with
// .meta sidecars, its backup.log, and after a failed run the .backup_error
// marker (content "error=true") beside the last good dump and its sidecar.
func TestDumpFolderSeedLayout(t *testing.T) {
	dir, last := goodFolder(t)
	folder := filepath.Join(dir, "dumps")
	newest := "backup_app_" + last.Format("20060102_150405") + ".sql.gz"
	require.NoError(t, os.Remove(filepath.Join(folder, newest+".json")))
	fi, err := os.Stat(filepath.Join(folder, newest))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(folder, strings.TrimSuffix(newest, ".sql.gz")+".meta"),
		fmt.Appendf(nil, seedMeta, newest, fi.Size()), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(folder, "backup.log"), []byte("[2026-11-09 02:00:01] 🚀 Starting database backup process...\n"), 0o600))
	yml := folderYML + "    sidecar_suffix: .meta\n    sidecar_replace_suffix: .sql.gz\n    require_sidecar: true\n"

	r, err := runDumpFolder(t, dir, yml, last.Add(time.Hour))
	require.NoError(t, err)
	assert.Empty(t, failed(r), "%+v", r.Conditions())
	assert.Equal(t, 40.0, value(t, r, "golive_backup_backups", "dump_folder", "", "dump"), "neither the log nor the sidecars count")

	// The next night's run fails: the script writes its marker and leaves
	// no new dump.
	require.NoError(t, os.WriteFile(filepath.Join(folder, ".backup_error"), []byte("error=true\n"), 0o644))
	r, err = runDumpFolder(t, dir, yml, last.Add(27*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"no failure marker", "newest backup age"}, failed(r))
	assert.Regexp(t, `^present since \S+: error=true$`, cond(t, r, "no failure marker").Observed)
}
