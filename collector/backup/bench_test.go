package backup

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
)

func BenchmarkParsePgBackRestInfo(b *testing.B) {
	data := corpus(b, "pgbackrest-info-multi-stanza-multi-repo-errors.json")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParsePgBackRestInfo(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseWALGBackupList(b *testing.B) {
	data := corpus(b, "walg-backup-list-detail.json")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseWALGBackupList(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDumpFolder300 is one run of the dump_folder check over 300 dumps
// with name timestamps, sidecar and permission checks: the cost of a scrape.
func BenchmarkDumpFolder300(b *testing.B) {
	dir := b.TempDir()
	first := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	for i := range 300 {
		name := fmt.Sprintf("backup_app_%s.sql.gz", first.AddDate(0, 0, i).Format("20060102_150405"))
		if err := os.WriteFile(filepath.Join(dir, name), []byte{0x1f, 0x8b, 8, 0}, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	cfg := fmt.Sprintf("- name: d\n  dump_folder:\n    glob: %s/backup_*.sql.gz\n    name_pattern: backup_*_%%Y%%m%%d_%%H%%M%%S.sql.gz\n    max_age: 26h\n    min_retention: 30d\n", dir)
	c, env := loadCheckB(b, cfg)
	chk, err := newDumpFolder(c, env)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := chk.Run(context.Background(), &collector.Report{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDumpFolderUnchanged is a run of the dump_folder check over a
// folder of 10 000 dumps that did not change since the last run: every
// entry is listed and stat'ed, but only the newest is opened (opens/op).
func BenchmarkDumpFolderUnchanged(b *testing.B) {
	dir := b.TempDir()
	first := time.Date(2000, 1, 1, 2, 0, 0, 0, time.UTC)
	const n = 10000
	for i := range n {
		name := fmt.Sprintf("backup_app_%s.sql.gz", first.Add(time.Duration(i)*time.Hour).Format("20060102_150405"))
		if err := os.WriteFile(filepath.Join(dir, name), []byte{0x1f, 0x8b, 8, 0}, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	cfg := fmt.Sprintf("- name: d\n  dump_folder:\n    glob: %s/backup_*.sql.gz\n    name_pattern: backup_*_%%Y%%m%%d_%%H%%M%%S.sql.gz\n    max_age: 26h\n", dir)
	c, env := loadCheckB(b, cfg)
	chk, err := newDumpFolder(c, env)
	if err != nil {
		b.Fatal(err)
	}
	var opens atomic.Int64
	l := chk.(*dumpFolderCheck).lister
	l.open = func(p string) (io.ReadCloser, error) {
		opens.Add(1)
		return os.Open(p)
	}
	// The first run reads every dump once.
	if err := chk.Run(context.Background(), &collector.Report{}); err != nil {
		b.Fatal(err)
	}
	opens.Store(0)
	for b.Loop() {
		if err := chk.Run(context.Background(), &collector.Report{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(opens.Load())/float64(b.N), "opens/op")
}
