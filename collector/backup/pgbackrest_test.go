package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every file of the corpus's backup/ folder has a parser here and parses;
// a file added to the corpus fails this test until it is given one (and a
// test asserting its values below).
func TestEveryBackupCorpusFileParses(t *testing.T) {
	parsers := map[string]func([]byte) error{
		"pgbackrest-":         func(b []byte) error { _, err := ParsePgBackRestInfo(b); return err },
		"walg-backup-list":    func(b []byte) error { _, err := ParseWALGBackupList(b); return err },
		"walg-wal-verify":     func(b []byte) error { _, err := ParseWALGVerify(b); return err },
		"barman-list-backups": func(b []byte) error { _, err := ParseBarmanListBackups(b); return err },
		"barman-check":        func(b []byte) error { _, err := ParseBarmanCheck(b); return err },
	}
	files, err := os.ReadDir(testutil.Corpus(t, "backup"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		var parse func([]byte) error
		for prefix, p := range parsers {
			if strings.HasPrefix(f.Name(), prefix) {
				parse = p
			}
		}
		if !assert.NotNil(t, parse, "corpus file %s has no parser in the backup package", f.Name()) {
			continue
		}
		assert.NoError(t, parse(corpus(t, f.Name())), f.Name())
	}
}

func TestParsePgBackRestCorpus(t *testing.T) {
	t.Run("multi stanza multi repo", func(t *testing.T) {
		st, err := ParsePgBackRestInfo(corpus(t, "pgbackrest-info-multi-stanza-multi-repo-errors.json"))
		require.NoError(t, err)
		require.Len(t, st, 4)
		s1 := st[0]
		assert.Equal(t, "stanza1", s1.Name)
		assert.Equal(t, "mixed", s1.Cipher)
		assert.Equal(t, 0, s1.Status.Code)
		require.Len(t, s1.Backup, 6)
		assert.Equal(t, "20181119-152138F", s1.Backup[0].Label)
		assert.Equal(t, int64(1542640899), s1.Backup[0].Timestamp.Stop)
		assert.Equal(t, int64(20162900), *s1.Backup[0].Info.Size)
		assert.Equal(t, int64(2369186), *s1.Backup[0].Info.Repository.Size)
		assert.Nil(t, s1.Backup[2].Archive.Stop, "archive.stop is null")
		assert.True(t, s1.Backup[4].Errored())
		assert.False(t, s1.Backup[5].Errored())
		assert.Nil(t, s1.Backup[5].Info.Repository.Size, "block incremental has size-map only")
		assert.Equal(t, int64(100), *s1.Backup[5].Info.Repository.SizeMap)
		assert.Equal(t, uint64(6625592122879095702), s1.DB[0].SystemID, "system-id > 2^53 kept exact")
		assert.Equal(t, "aes-256-cbc", s1.Repo[1].Cipher)
		assert.Equal(t, "000000010000000000000005", *s1.Archive[1].Max)

		s2 := st[1]
		assert.Equal(t, 4, s2.Status.Code)
		assert.Equal(t, "different across repos", s2.Status.Message)
		assert.True(t, s2.Status.Lock.Backup.Held)
		assert.Equal(t, int64(1435765), *s2.Status.Lock.Backup.SizeComplete)
		assert.Nil(t, s2.Archive[0].Min)
		assert.Equal(t, 1, s2.Repo[1].Status.Code)
		assert.True(t, st[3].Status.Lock.Restore.Held)
	})
	t.Run("code 99", func(t *testing.T) {
		st, err := ParsePgBackRestInfo(corpus(t, "pgbackrest-info-other-error-code99.json"))
		require.NoError(t, err)
		require.Len(t, st, 1)
		assert.Equal(t, 99, st[0].Status.Code)
		assert.Equal(t, "other", st[0].Status.Message)
		assert.Contains(t, st[0].Repo[0].Status.Message, "[FileMissingError]")
		assert.Empty(t, st[0].Backup)
	})
	t.Run("code 3", func(t *testing.T) {
		st, err := ParsePgBackRestInfo(corpus(t, "pgbackrest-info-missing-stanza-data-code3.json"))
		require.NoError(t, err)
		require.Len(t, st, 1)
		s := st[0]
		assert.Equal(t, "stanza1", s.Name)
		assert.Equal(t, 3, s.Status.Code)
		assert.Equal(t, "missing stanza data", s.Status.Message)
		assert.Equal(t, "none", s.Cipher)
		require.Len(t, s.Repo, 1)
		assert.Equal(t, 1, s.Repo[0].Key)
		assert.Equal(t, "none", s.Repo[0].Cipher)
		assert.Equal(t, 3, s.Repo[0].Status.Code)
		assert.False(t, s.Status.Lock.Backup.Held)
		require.NotNil(t, s.Status.Lock.Restore)
		assert.False(t, s.Status.Lock.Restore.Held)
		assert.Empty(t, s.Backup)
		assert.Empty(t, s.Archive)
		assert.Empty(t, s.DB)
	})
	t.Run("set detail", func(t *testing.T) {
		st, err := ParsePgBackRestInfo(corpus(t, "pgbackrest-info-backup-set-detail.json"))
		require.NoError(t, err)
		require.Len(t, st[0].Backup, 1)
		b := st[0].Backup[0]
		assert.Equal(t, "incr", b.Type)
		assert.True(t, b.Errored())
		assert.Equal(t, int64(1542640917), b.Timestamp.Stop)
		assert.Equal(t, uint64(6626363367545678089), st[0].DB[1].SystemID)
	})
}

func TestParsePgBackRestBad(t *testing.T) {
	for name, in := range map[string]string{
		"empty":      "",
		"text":       "ERROR: [055]: unable to load info file",
		"truncated":  `[{"name":"main","backup":[{"label":"x"`,
		"object":     `{"name":"main"}`,
		"no name":    `[{"status":{"code":0}}]`,
		"wrong type": `[{"name":"main","backup":[{"timestamp":{"stop":"soon"}}]}]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePgBackRestInfo([]byte(in))
			require.Error(t, err)
		})
	}
	st, err := ParsePgBackRestInfo([]byte("[]\n"))
	require.NoError(t, err)
	assert.Empty(t, st)
}

func runPgBackRest(t *testing.T, dir, yml string, now time.Time) (*collector.Report, error) {
	t.Helper()
	return runAt(t, dir, yml, newPgBackRest, now)
}

func TestPgBackRestFromFile(t *testing.T) {
	corpusDir := testutil.Corpus(t, "backup")
	// stanza1's newest good backup stopped at 1605799263 (2020-11-19 15:21:03Z).
	now := time.Unix(1605799263, 0).Add(20 * time.Hour)
	r, err := runPgBackRest(t, corpusDir, `
- name: pgbr
  pgbackrest:
    file: pgbackrest-info-multi-stanza-multi-repo-errors.json
    stanza: stanza1
    max_age: 26h
    max_full_age: 3d
    min_retention: 30d
    min_count: 3
    require_encryption: true
`, now)
	require.NoError(t, err)
	assert.Equal(t, 0.0, value(t, r, "golive_backup_status_code", "pgbackrest", "stanza1"))
	assert.Equal(t, 1605799263.0, value(t, r, "golive_backup_newest_timestamp_seconds", "pgbackrest", "stanza1", "incr"))
	// The full backup of 1605556805 is flagged with an error: the newest good full is 1605541802.
	assert.Equal(t, 1605541802.0, value(t, r, "golive_backup_newest_timestamp_seconds", "pgbackrest", "stanza1", "full"))
	assert.Equal(t, 1542640899.0, value(t, r, "golive_backup_oldest_timestamp_seconds", "pgbackrest", "stanza1", "full"))
	assert.Equal(t, 3.0, value(t, r, "golive_backup_backups", "pgbackrest", "stanza1", "full"))
	assert.Equal(t, 1.0, value(t, r, "golive_backup_errored_backups", "pgbackrest", "stanza1", "full"))
	assert.Equal(t, 26897000.0, value(t, r, "golive_backup_newest_size_bytes", "pgbackrest", "stanza1", "full"))
	assert.Equal(t, 3159000.0, value(t, r, "golive_backup_newest_repo_size_bytes", "pgbackrest", "stanza1", "full"))
	assert.Equal(t, 2.0, value(t, r, "golive_backup_newest_duration_seconds", "pgbackrest", "stanza1", "full"))
	assert.Equal(t, 2369186.0+3159000+3159000, value(t, r, "golive_backup_stored_size_bytes", "pgbackrest", "stanza1", "full"))
	_, hasRepoSize := lookup(r, "golive_backup_newest_repo_size_bytes", "pgbackrest", "stanza1", "incr")
	assert.False(t, hasRepoSize, "block incremental backup has no repository size")
	assert.Equal(t, 0.0, value(t, r, "golive_backup_repo_encrypted", "pgbackrest", "stanza1", "1"))
	assert.Equal(t, 1.0, value(t, r, "golive_backup_repo_encrypted", "pgbackrest", "stanza1", "2"))
	assert.Equal(t, 1.0, value(t, r, "golive_backup_wal_archive_timeline", "pgbackrest", "stanza1", "min"))
	assert.Equal(t, 2.0, value(t, r, "golive_backup_wal_archive_timeline", "pgbackrest", "stanza1", "max"))
	assert.Equal(t, 3.0, value(t, r, "golive_backup_wal_archive_segment", "pgbackrest", "stanza1", "max"))
	assert.Equal(t, 0.0, value(t, r, "golive_backup_lock_held", "pgbackrest", "stanza1", "backup"))

	assert.True(t, cond(t, r, "stanza status").OK)
	assert.True(t, cond(t, r, "newest backup age").OK)
	na := cond(t, r, "newest full backup age")
	assert.False(t, na.OK, "newest good full is 3 days old")
	assert.Contains(t, na.Observed, "20201116-155000F")
	assert.True(t, cond(t, r, "retention").OK)
	assert.True(t, cond(t, r, "backups kept").OK)
	enc := cond(t, r, "repository encryption")
	assert.False(t, enc.OK)
	assert.Equal(t, "repo1 none, repo2 aes-256-cbc", enc.Observed)
	w := cond(t, r, "backups flagged with an error")
	assert.True(t, w.Warning)
	assert.False(t, w.OK)
	assert.ElementsMatch(t, []string{"newest full backup age", "repository encryption"}, failed(r))
}

func TestPgBackRestStanzasInError(t *testing.T) {
	corpusDir := testutil.Corpus(t, "backup")
	r, err := runPgBackRest(t, corpusDir, `
- name: pgbr
  pgbackrest:
    file: pgbackrest-info-multi-stanza-multi-repo-errors.json
`, time.Unix(1605799263, 0))
	require.NoError(t, err)
	st := cond(t, r, "stanza2: stanza status")
	assert.False(t, st.OK)
	assert.Contains(t, st.Observed, "code 4: different across repos")
	assert.Contains(t, st.Observed, "repo2: missing stanza path")
	assert.Equal(t, 1.0, value(t, r, "golive_backup_lock_held", "pgbackrest", "stanza2", "backup"))
	assert.Equal(t, 1.0, value(t, r, "golive_backup_lock_held", "pgbackrest", "stanza4", "restore"))
	assert.Equal(t, 2.0, value(t, r, "golive_backup_repo_status_code", "pgbackrest", "stanza2", "1"))
	assert.False(t, cond(t, r, "stanza2: has a good backup").OK)
	assert.True(t, cond(t, r, "stanza1: stanza status").OK)

	r, err = runPgBackRest(t, corpusDir, `
- name: pgbr
  pgbackrest:
    file: pgbackrest-info-other-error-code99.json
`, time.Now())
	require.NoError(t, err)
	st = cond(t, r, "stanza status")
	assert.False(t, st.OK)
	assert.Contains(t, st.Observed, "code 99: other (repo1: [FileMissingError] unable to load info file")
	assert.NotContains(t, st.Observed, "\n")
	assert.Equal(t, 99.0, value(t, r, "golive_backup_status_code", "pgbackrest", "stanza1"))

	r, err = runPgBackRest(t, corpusDir, `
- name: pgbr
  pgbackrest:
    file: pgbackrest-info-missing-stanza-data-code3.json
    stanza: stanza1
    max_age: 26h
    require_encryption: true
`, time.Now())
	require.NoError(t, err)
	assert.Equal(t, "code 3: missing stanza data (repo1: missing stanza data)", cond(t, r, "stanza status").Observed)
	assert.Equal(t, 3.0, value(t, r, "golive_backup_repo_status_code", "pgbackrest", "stanza1", "1"))
	assert.Equal(t, 0.0, value(t, r, "golive_backup_repo_encrypted", "pgbackrest", "stanza1", "1"))
	assert.ElementsMatch(t, []string{"stanza status", "has a good backup", "newest backup age", "repository encryption"}, failed(r))
	_, has := lookup(r, "golive_backup_newest_timestamp_seconds", "pgbackrest", "stanza1", "full")
	assert.False(t, has, "no backup, no newest time")
}

func TestPgBackRestFaults(t *testing.T) {
	dir := t.TempDir()
	hang := writeScript(t, dir, "hang.sh", "sleep 30 &\nsleep 30\n")
	invalid := writeScript(t, dir, "invalid.sh", "echo '[{\"name\":\"main\",'\n")
	fails := writeScript(t, dir, "fails.sh", "echo 'ERROR: [056]: unable to find primary cluster' >&2\nexit 56\n")
	args := writeScript(t, dir, "args.sh", `echo "$@" > `+filepath.Join(dir, "args.txt")+"\necho '[{\"name\":\"main\",\"status\":{\"code\":0,\"message\":\"ok\"}}]'\n")
	gone := filepath.Join(dir, "info.json")
	require.NoError(t, os.WriteFile(gone, corpus(t, "pgbackrest-info-backup-set-detail.json"), 0o600))
	require.NoError(t, os.Remove(gone))

	for _, tc := range []struct {
		name, yml string
		reason    collector.Reason
		msg       string
	}{
		{"hanging binary", "command: " + hang, collector.ReasonTimeout, "did not finish in time and was killed"},
		{"invalid JSON", "command: " + invalid, collector.ReasonInvalidResponse, "pgbackrest info output is truncated: the JSON ends early"},
		{"exit status", "command: " + fails, collector.ReasonCommandFailed, "exited with status 56: ERROR: [056]"},
		{"missing binary", "command: " + filepath.Join(dir, "nope"), collector.ReasonNotFound, "install it or set the path"},
		{"vanished file", "file: " + gone, collector.ReasonNotFound, "info.json"},
		{"unknown stanza", "command: " + args + "\n    stanza: other", collector.ReasonNotFound, `stanza "other" is not in pgbackrest's catalogue (stanzas: main)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, env := loadCheck(t, dir, "- name: pgbr\n  pgbackrest:\n    "+tc.yml+"\n")
			chk, err := newPgBackRest(c, env)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- chk.Run(ctx, &collector.Report{}) }()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return after its context ended")
			}
			require.Error(t, err)
			assert.Equal(t, tc.reason, collector.ReasonOf(err), err.Error())
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	b, err := os.ReadFile(filepath.Join(dir, "args.txt"))
	require.NoError(t, err)
	assert.Equal(t, "--stanza=other --output=json info", strings.TrimSpace(string(b)))
}

func TestPgBackRestConfigErrors(t *testing.T) {
	assert.Contains(t, loadErr(t, "- name: x\n  pgbackrest:\n    stanza: 'a b'\n"), "is not a stanza name")
	assert.Contains(t, loadErr(t, "- name: x\n  pgbackrest:\n    min_count: -1\n"), "must not be negative")
	assert.Contains(t, loadErr(t, "- name: x\n  pgbackrest:\n    file: a.json\n    command: /usr/bin/pgbackrest\n"), "not both")
	assert.Contains(t, loadErr(t, "- name: x\n  pgbackrest:\n    max_ages: 1h\n"), `did you mean "max_age"`)
}
