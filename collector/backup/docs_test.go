package backup

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// backupKinds are the kinds of this package, from the registry (filled
// by the package's init, so read when a test runs).
func backupKinds() []string { return config.KindsIn(reflect.TypeFor[RestoreCheck]().PkgPath()) }

// Every configuration example in docs/backup.md loads, and every kind of
// this package has one.
func TestDocsExamplesLoad(t *testing.T) {
	blocks := testutil.DocYAML(testutil.Doc(t, "backup.md"))
	require.GreaterOrEqual(t, len(blocks), 5)
	kinds := map[string]bool{}
	for _, y := range blocks {
		if !strings.HasPrefix(y, "checks:") {
			y = "checks:\n" + y
		}
		// The examples name a postgres target "main".
		y = "postgres_targets:\n  main:\n    dsn: postgres://golive_monitor@prod-db:5432/sms\n" + y
		cfg, err := config.Load([]byte(y), "/etc/golive/golive.yml")
		if assert.NoError(t, err, y) {
			for _, c := range cfg.Checks {
				kinds[c.Kind()] = true
			}
		}
	}
	testutil.DocHasEveryKind(t, "backup.md", backupKinds(), kinds)
}

// backupItems are the checklist's automated backup items: the probe items
// of the backup groups, and any other probe item about backups (the daily
// morning check, the rollback plan's verified backup).
func backupItems(t *testing.T) []string {
	t.Helper()
	tsv, err := os.ReadFile(testutil.ChecklistTSV(t))
	require.NoError(t, err)
	var ids []string
	seen := map[string]bool{}
	for _, line := range strings.Split(string(tsv), "\n")[1:] {
		f := strings.Split(line, "\t")
		if len(f) < 6 || f[5] != "probe" || seen[f[0]] {
			continue
		}
		if f[3] == "Database Backup" || f[3] == "Pre-Go-Live Backup" || strings.Contains(strings.ToLower(f[4]), "backup") {
			ids = append(ids, f[0])
			seen[f[0]] = true
		}
	}
	return ids
}

// Each backup item of the checklist maps to one of the backup checks: in
// the table of docs/backup.md, and in both example configurations (a dump
// folder with an active restore; pgBackRest with verify and a restore
// job's result). P1.1.05 (backup alerts configured) is the prometheus
// check's: the bundle's backup rule group loaded.
func TestBackupItemsMapToChecks(t *testing.T) {
	items := backupItems(t)
	kindsOfPackage := backupKinds()
	require.ElementsMatch(t, []string{"P1.1.01", "P1.1.02", "P1.1.03", "P1.1.04", "P1.1.05", "P2.3.01", "P2.3.02", "P2.3.04", "P2.3.05", "P5.1.03", "AX.2.04"}, items,
		"the checklist's backup items changed: map the new ones to a check here, in docs/backup.md and in deploy/examples/backups/")

	table := regexp.MustCompile(`(?m)^\| ((?:[A-Z0-9]+\.\d+\.\d+,? ?)+) `).FindAllStringSubmatch(testutil.Doc(t, "backup.md"), -1)
	inDocs := map[string]bool{}
	for _, row := range table {
		for _, id := range strings.Split(row[1], ",") {
			inDocs[strings.TrimSpace(id)] = true
		}
	}

	for _, example := range []string{"dumps.yml", "pgbackrest.yml"} {
		cfg, err := config.LoadFile(filepath.Join("..", "..", "deploy", "examples", "backups", example))
		require.NoError(t, err, example)
		kinds := map[string][]string{}
		for _, c := range cfg.Checks {
			for _, it := range c.Items {
				kinds[it] = append(kinds[it], c.Kind())
			}
		}
		for _, id := range items {
			assert.True(t, inDocs[id], "%s is not in the item table of docs/backup.md", id)
			want := func(k string) bool { return slices.Contains(kindsOfPackage, k) }
			if id == "P1.1.05" {
				want = func(k string) bool { return k == "prometheus" }
			}
			ok := false
			for _, k := range kinds[id] {
				ok = ok || want(k)
			}
			assert.True(t, ok, "%s: %s is bound to %v, not to a backup check", example, id, kinds[id])
		}
		for _, c := range cfg.Checks {
			// A check fails all its items at once: retention has a check
			// of its own, or a young folder would fail the daily items.
			for _, it := range c.Items {
				if it == "P1.1.03" {
					assert.Equal(t, []string{"P1.1.03"}, c.Items, "%s: %s binds retention with other items", example, c.Name)
				}
			}
			if c.Kind() == "restore" {
				assert.True(t, c.Background, "%s: %s must run in the background", example, c.Name)
				assert.NotEmpty(t, c.Spec().(*RestoreCheck).StateFile, "%s: %s keeps its result across restarts", example, c.Name)
			}
		}
	}
}

// The metrics table of docs/backup.md lists exactly the families the
// backup package declares, with their labels.
func TestDocsMetricsTable(t *testing.T) {
	declared := testutil.DeclaredMetrics(t, ".")
	require.NotEmpty(t, declared)
	assert.Equal(t, declared, testutil.DocMetrics(testutil.Doc(t, "backup.md")),
		"docs/backup.md's metrics table (name -> labels besides check) against the NewDesc calls of collector/backup")
}
