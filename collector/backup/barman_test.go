package backup

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBarmanCorpus(t *testing.T) {
	list, err := ParseBarmanListBackups(corpus(t, "barman-list-backups.json"))
	require.NoError(t, err)
	require.Len(t, list["host1"], 3)
	b := list["host1"][0]
	assert.Equal(t, "20220227T070011", b.BackupID)
	assert.Equal(t, time.Unix(1645929164, 0), b.EndTime())
	assert.Equal(t, int64(36283487994), b.SizeBytes)
	assert.Equal(t, "DONE", b.Status)
	assert.Equal(t, "-", b.RetentionStatus)

	show, err := ParseBarmanShowBackup(corpus(t, "barman-show-backup.json"))
	require.NoError(t, err)
	s := show["host1"]
	assert.Equal(t, "DONE", s.Status)
	assert.Equal(t, "1645929164", s.Base.EndTimeTimestamp)
	assert.InDelta(t, 1670.4918, s.Base.CopyTimeSeconds, 1e-9)
	assert.Equal(t, int64(36283357259), s.Base.DiskUsageBytes)
	assert.Equal(t, "000000010000006B000000DF", s.WAL.LastAvailable)
	assert.Equal(t, 130005, s.PostgresqlVersion)

	chk, err := ParseBarmanCheck(corpus(t, "barman-check.json"))
	require.NoError(t, err)
	assert.Len(t, chk["host1"], 23)
	assert.Equal(t, BarmanCheck{Status: "OK", Hint: "there are 0 failed backups"}, chk["host1"]["failed_backups"])

	_, err = ParseBarmanListBackups([]byte(`{"host1": {}}`))
	assert.Error(t, err)
	assert.Equal(t, time.Time{}, BarmanBackup{EndTimeTimestamp: "soon"}.EndTime())
}
