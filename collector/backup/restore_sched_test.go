package backup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two restore checks of one exporter on their background schedule: the
// one under way shows as running (in the results the board, the JSON and
// golive_check_running are made from), and the other waits for it: their
// tools never run at the same time.
func TestRestoreChecksRunningAndNeverOverlapping(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	release := filepath.Join(dir, "release")
	// Each "pgbackrest verify" logs its start and end, and waits for the
	// test's go-ahead in between.
	writeScript(t, dir, "pgbackrest", `name=$(echo "$@" | sed 's/.*--stanza=\([a-z]*\).*/\1/')
echo "start $name" >> `+log+`
while [ ! -e `+release+` ]; do sleep 0.02; done
echo "end $name" >> `+log+`
`)
	check := func(name string) string {
		return "  - name: " + name + "\n    background: true\n    interval: 1d\n    timeout: 60s\n    restore:\n      pgbackrest_verify:\n        stanza: " + name + "\n        command: " + filepath.Join(dir, "pgbackrest") + "\n"
	}
	cfg, err := config.Load([]byte("checks:\n"+check("first")+check("second")), filepath.Join(dir, "golive.yml"))
	require.NoError(t, err)
	s := collector.New(cfg, nil)
	s.Start()
	defer s.Close()

	var started string
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(log)
		started = strings.TrimSpace(string(b))
		return started != ""
	}, 30*time.Second, 10*time.Millisecond)
	running := strings.TrimPrefix(started, "start ")
	for _, r := range s.Snapshot() {
		if r.Check == running {
			assert.True(t, r.Running, "%s is under way", r.Check)
			assert.Equal(t, collector.StatusUnknown, r.Status, "no result before its first run ends")
		}
	}

	require.NoError(t, os.WriteFile(release, nil, 0o600))
	require.Eventually(t, func() bool {
		for _, r := range s.Snapshot() {
			if r.Running || r.Status != collector.StatusPass {
				return false
			}
		}
		return true
	}, 30*time.Second, 10*time.Millisecond)
	b, err := os.ReadFile(log)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 4)
	other := map[string]string{"first": "second", "second": "first"}[running]
	assert.Equal(t, []string{"start " + running, "end " + running, "start " + other, "end " + other}, lines,
		"one restore ended before the other began")
}
