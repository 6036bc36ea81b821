package backup

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/prometheus/client_golang/prometheus"
)

func seedCorpus(f *testing.F, prefix string) {
	files, err := filepath.Glob(filepath.Join(testutil.Corpus(f, "backup"), prefix+"*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no corpus files %s*", prefix)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzPgBackRestInfo parses arbitrary info output and checks every stanza:
// whatever pgbackrest prints, the check must not panic.
func FuzzPgBackRestInfo(f *testing.F) {
	seedCorpus(f, "pgbackrest-")
	f.Add([]byte(`[{"name":"x","archive":[{"min":"zz","max":"000000010000000000000001"}],"backup":[{"type":"full","timestamp":{"start":-1,"stop":9223372036854775807}}]}]`))
	th := BackupThresholds{MaxAge: 1, MaxFullAge: 1, MinRetention: 1, MinCount: 1}
	f.Fuzz(func(t *testing.T, data []byte) {
		stanzas, err := ParsePgBackRestInfo(data)
		if err != nil {
			return
		}
		c := &pgBackRestCheck{cfg: &PgBackRestCheck{RequireEncryption: true, BackupThresholds: th}}
		for _, s := range stanzas {
			c.checkStanza(&collector.Report{}, s, "", time.Unix(1700000000, 0))
		}
	})
}

func FuzzWALGBackupList(f *testing.F) {
	seedCorpus(f, "walg-backup-list")
	f.Fuzz(func(t *testing.T, data []byte) {
		bs, err := ParseWALGBackupList(data)
		if err != nil {
			return
		}
		var es []entry
		for _, b := range bs {
			es = append(es, entry{Type: b.Type(), Name: b.BackupName, Start: b.StartTime, Stop: b.Finished(), DBSize: -1, RepoSize: -1})
		}
		r := &collector.Report{}
		recordEntries(r, sourceWALG, "", es)
		assertThresholds(r, BackupThresholds{MaxAge: 1, MinRetention: 1}, "", es, "full", time.Now())
	})
}

func FuzzWALGVerify(f *testing.F) {
	seedCorpus(f, "walg-wal-verify")
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseWALGVerify(data)
		if err != nil {
			return
		}
		recordVerify(&collector.Report{}, v)
	})
}

func FuzzBarman(f *testing.F) {
	seedCorpus(f, "barman-")
	f.Fuzz(func(t *testing.T, data []byte) {
		if l, err := ParseBarmanListBackups(data); err == nil {
			for _, bs := range l {
				for _, b := range bs {
					_ = b.EndTime()
				}
			}
		}
		_, _ = ParseBarmanCheck(data)
	})
}

func FuzzRestoreMarker(f *testing.F) {
	for _, p := range []string{"restore-result-success.json", "restore-result-failed.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"status":"ok","time":1e300,"duration_seconds":-1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseRestoreMarker(data)
		if err == nil && m.Success && !sidecarOK(m.Status) && m.Status != "true" {
			t.Fatalf("success without a success status: %+v", m)
		}
	})
}

// FuzzDumpName feeds names to the timestamp pattern and formats to the
// sniffer.
func FuzzDumpName(f *testing.F) {
	f.Add("backup_app_20261101_020000.sql.gz", []byte("PGDMP"))
	f.Add("backup_x_99999999_999999.sql.gz", []byte{0x1f, 0x8b})
	re, err := NameTimeRegexp("backup_*_%Y%m%d_%H%M%S.sql.gz")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		if ts, ok := nameTime(re, name, time.UTC); ok && !strings.Contains(name, ts.Format("20060102_150405")) {
			t.Fatalf("%q parsed as %s", name, ts)
		}
		_ = formatOf(head)
	})
}

// FuzzSidecar judges arbitrary sidecar JSON: never a panic, and never a
// pass without a success status.
func FuzzSidecar(f *testing.F) {
	f.Add([]byte(`{"status":"success","size":1234}`))
	f.Add([]byte(`{"status":"failed","message":"pg_dump: error: connection to server failed\nmore"}`))
	f.Add([]byte(`{"status":"ok","size_bytes":-1}`))
	f.Add([]byte(`{"status":"done","size":1e400}`))
	f.Add([]byte(`{"success":true,"size_bytes":1234,"backup_file":"x"}`))
	f.Add([]byte(`{"success":false,"error":true,"message":["a"]}`))
	f.Add([]byte(`{"size":1234,"backup_file":"/backups/y"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ok, obs := evalSidecar(data, "x.json", dump{Name: "x", Size: 1234})
		if ok && !strings.HasPrefix(obs, "status ") && !strings.HasPrefix(obs, "success true") {
			t.Fatalf("passed without a status: %q", obs)
		}
	})
}

// FuzzRestoreState decodes arbitrary state files: an error or a state
// with an attempt time, never a panic.
func FuzzRestoreState(f *testing.F) {
	f.Add([]byte(`{"version":1,"check":"r","config":"x","last_attempt":"2026-11-28T03:00:00Z","success":true,"last_success":"2026-11-28T03:00:00Z","samples":[{"name":"golive_restore_success","value":1}],"conditions":[{"name":"restore","ok":true}]}`))
	f.Add([]byte(`{"version":1,"check":"r","last_attempt":"2026-11-28T03:00:00Z","reason":"timeout","error":"killed","samples":[{"name":"golive_restore_table_rows","labels":["a","b"],"value":1}]}`))
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decodeRestoreState(bytes.NewReader(data), "state.json")
		if err != nil {
			return
		}
		if st.Attempt.IsZero() {
			t.Fatal("a state without last_attempt was accepted")
		}
		// Replaying must not panic either, and every sample must make a
		// valid metric, whatever the file holds: one invalid metric fails
		// the whole scrape.
		r := &collector.Report{}
		_ = st.replay(r, "state.json", time.Hour)
		for _, s := range r.Samples() {
			if _, err := prometheus.NewConstMetric(s.Desc, s.Type, s.Value, append([]string{"c"}, s.Labels...)...); err != nil {
				t.Fatalf("replayed sample %v is not a valid metric: %v", s, err)
			}
		}
	})
}
