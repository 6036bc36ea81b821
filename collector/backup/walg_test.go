package backup

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseWALGCorpus(t *testing.T) {
	bs, err := ParseWALGBackupList(corpus(t, "walg-backup-list-detail.json"))
	require.NoError(t, err)
	require.Len(t, bs, 11)
	b := bs[0]
	assert.Equal(t, "base_000000430000030600000060", b.BackupName)
	assert.Equal(t, "full", b.Type())
	assert.Equal(t, time.Date(2025, 12, 20, 2, 0, 19, 896000000, time.UTC), b.Time)
	assert.Equal(t, time.Date(2025, 12, 20, 2, 0, 18, 538578000, time.UTC), b.FinishTime)
	assert.Equal(t, uint64(3325915299880), b.StartLSN)
	assert.Equal(t, uint64(7507672962298572862), b.SystemIdentifier, "system_identifier > 2^53 kept exact")
	assert.Equal(t, 150015, b.PgVersion)
	assert.Equal(t, int64(858502390), *b.CompressedSize)
	assert.Equal(t, "delta", bs[5].Type())
	assert.Equal(t, time.Date(2025, 12, 29, 2, 0, 17, 730000000, time.UTC), bs[3].Time, "two fractional digits")

	v, err := ParseWALGVerify(corpus(t, "walg-wal-verify-integrity-timeline.json"))
	require.NoError(t, err)
	assert.Equal(t, "FAILURE", v.Integrity.Status)
	assert.Equal(t, map[string]int64{"MISSING_LOST": 1}, v.MissingSegments())
	assert.Equal(t, int64(33379), v.Integrity.Details[1].SegmentsCount)
	assert.Equal(t, "OK", v.Timeline.Status)
	assert.Equal(t, uint32(68), v.Timeline.Details.CurrentTimelineID)
}

func TestParseWALGBad(t *testing.T) {
	for _, in := range []string{"", "backup-list: no backups found", `[{"backup_name":"x"}]`, `[{"time":"2025-01-01T00:00:00Z"}]`, `[{"backup_name":"x","time":"yesterday"}]`} {
		_, err := ParseWALGBackupList([]byte(in))
		assert.Error(t, err, in)
	}
	for _, in := range []string{"", "[]", "{}", `{"integrity":`} {
		_, err := ParseWALGVerify([]byte(in))
		assert.Error(t, err, in)
	}
}

func TestWALGCheck(t *testing.T) {
	dir := testutil.Corpus(t, "backup")
	c, env := loadCheck(t, dir, `
- name: walg
  walg:
    file: walg-backup-list-detail.json
    wal_verify_file: walg-wal-verify-integrity-timeline.json
    max_age: 26h
    max_full_age: 2d
    min_retention: 7d
    min_count: 20
`)
	chk, err := newWALG(c, env)
	require.NoError(t, err)
	newest := time.Date(2025, 12, 30, 10, 16, 7, 377248000, time.UTC)
	chk.(*walgCheck).now = func() time.Time { return newest.Add(25 * time.Hour) }
	r := &collector.Report{}
	require.NoError(t, chk.Run(context.Background(), r))
	assert.Equal(t, 7.0, value(t, r, "golive_backup_backups", "walg", "", "full"))
	assert.Equal(t, 4.0, value(t, r, "golive_backup_backups", "walg", "", "delta"))
	assert.InDelta(t, unixSeconds(newest), value(t, r, "golive_backup_newest_timestamp_seconds", "walg", "", "full"), 1e-3)
	assert.InDelta(t, unixSeconds(time.Date(2025, 12, 20, 2, 0, 18, 538578000, time.UTC)), value(t, r, "golive_backup_oldest_timestamp_seconds", "walg", "", "full"), 1e-3)
	assert.Equal(t, 2791393810.0, value(t, r, "golive_backup_newest_size_bytes", "walg", "", "full"))
	assert.Equal(t, 931763965.0, value(t, r, "golive_backup_newest_repo_size_bytes", "walg", "", "full"))
	assert.InDelta(t, 46.047461, value(t, r, "golive_backup_newest_duration_seconds", "walg", "", "full"), 1e-6)
	assert.Equal(t, 0.0, value(t, r, "golive_backup_permanent_backups", "walg", ""))
	assert.Equal(t, 2.0, value(t, r, "golive_backup_wal_verify_status", "walg", "", "integrity"))
	assert.Equal(t, 0.0, value(t, r, "golive_backup_wal_verify_status", "walg", "", "timeline"))
	assert.Equal(t, 1.0, value(t, r, "golive_backup_wal_missing_segments", "walg", "", "MISSING_LOST"))
	assert.Equal(t, "FAILURE (1 MISSING_LOST)", cond(t, r, "WAL integrity").Observed)
	assert.ElementsMatch(t, []string{"WAL integrity", "backups kept"}, failed(r))
	assert.True(t, cond(t, r, "newest backup age").OK)
	assert.True(t, cond(t, r, "retention").OK)
}

func TestWALGCommand(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(testutil.Corpus(t, "backup"), "walg-backup-list-detail.json")
	walg := writeScript(t, dir, "wal-g", `case "$*" in
"--config /etc/walg.json backup-list --detail --json") cat `+abs+` ;;
*) echo "unexpected args: $*" >&2; exit 2 ;;
esac
`)
	c, env := loadCheck(t, dir, "- name: walg\n  walg:\n    command: "+walg+"\n    config_file: /etc/walg.json\n")
	chk, err := newWALG(c, env)
	require.NoError(t, err)
	r := &collector.Report{}
	require.NoError(t, chk.Run(context.Background(), r))
	assert.Equal(t, 7.0, value(t, r, "golive_backup_backups", "walg", "", "full"))

	c, env = loadCheck(t, dir, "- name: walg\n  walg:\n    command: "+walg+"\n    wal_verify: true\n")
	chk, err = newWALG(c, env)
	require.NoError(t, err)
	err = chk.Run(context.Background(), &collector.Report{})
	require.Error(t, err)
	assert.Equal(t, collector.ReasonCommandFailed, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "unexpected args: backup-list")

	assert.Contains(t, loadErr(t, "- name: w\n  walg:\n    file: x.json\n    wal_verify: true\n"), "give wal_verify_file")
}
