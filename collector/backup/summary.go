// Package backup holds the backup checks: pgBackRest and WAL-G backup
// catalogues, folders of pg_dump files, active restore tests into a scratch
// database, and the result a separate restore job left.
package backup

import (
	"fmt"
	"sort"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/internal/human"
)

// Label values of the source label.
const (
	sourcePgBackRest = "pgbackrest"
	sourceWALG       = "walg"
	sourceDumpFolder = "dump_folder"
	sourceBarman     = "barman"
)

// Families shared by every backup source; labels source, stanza (empty
// where the tool has none) and type (full, diff, incr, delta, dump).
var (
	newestTimestampDesc = collector.NewDesc("golive_backup_newest_timestamp_seconds",
		"When the newest good backup of this type finished (unix time).", "source", "stanza", "type")
	oldestTimestampDesc = collector.NewDesc("golive_backup_oldest_timestamp_seconds",
		"When the oldest good backup of this type kept finished (unix time): the retention reached.", "source", "stanza", "type")
	backupsDesc = collector.NewDesc("golive_backup_backups",
		"Number of backups of this type kept, including those flagged with an error.", "source", "stanza", "type")
	erroredDesc = collector.NewDesc("golive_backup_errored_backups",
		"Number of backups of this type the tool flagged with an error (failed or corrupt).", "source", "stanza", "type")
	newestSizeDesc = collector.NewDesc("golive_backup_newest_size_bytes",
		"Size of the database in the newest good backup of this type (for dumps: the dump file's size).", "source", "stanza", "type")
	newestRepoSizeDesc = collector.NewDesc("golive_backup_newest_repo_size_bytes",
		"Size the newest good backup of this type takes in the repository (compressed).", "source", "stanza", "type")
	newestDurationDesc = collector.NewDesc("golive_backup_newest_duration_seconds",
		"How long the newest good backup of this type took.", "source", "stanza", "type")
	storedSizeDesc = collector.NewDesc("golive_backup_stored_size_bytes",
		"Sum of the repository sizes of every backup of this type kept.", "source", "stanza", "type")
)

// entry is one backup in a source-neutral form.
type entry struct {
	Type  string
	Name  string
	Start time.Time // zero when unknown
	Stop  time.Time
	// DBSize and RepoSize are -1 when the tool does not say.
	DBSize, RepoSize int64
	Error            bool
}

// typeSummary is what the metrics say about one type of backup.
type typeSummary struct {
	count, errors  int
	newest, oldest *entry // good backups only
	stored         int64
	storedKnown    bool
}

func summarize(entries []entry) map[string]*typeSummary {
	out := map[string]*typeSummary{}
	for i := range entries {
		e := &entries[i]
		s := out[e.Type]
		if s == nil {
			s = &typeSummary{}
			out[e.Type] = s
		}
		s.count++
		if e.RepoSize >= 0 {
			s.stored += e.RepoSize
			s.storedKnown = true
		}
		if e.Error {
			s.errors++
			continue
		}
		if s.newest == nil || e.Stop.After(s.newest.Stop) {
			s.newest = e
		}
		if s.oldest == nil || e.Stop.Before(s.oldest.Stop) {
			s.oldest = e
		}
	}
	return out
}

// recordEntries records the per-type families for one stanza (or folder).
func recordEntries(r *collector.Report, source, stanza string, entries []entry) {
	sums := summarize(entries)
	types := make([]string, 0, len(sums))
	for t := range sums {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		s := sums[t]
		r.Gauge(backupsDesc, float64(s.count), source, stanza, t)
		r.Gauge(erroredDesc, float64(s.errors), source, stanza, t)
		if s.storedKnown {
			r.Gauge(storedSizeDesc, float64(s.stored), source, stanza, t)
		}
		if n := s.newest; n != nil {
			r.Gauge(newestTimestampDesc, unixSeconds(n.Stop), source, stanza, t)
			if n.DBSize >= 0 {
				r.Gauge(newestSizeDesc, float64(n.DBSize), source, stanza, t)
			}
			if n.RepoSize >= 0 {
				r.Gauge(newestRepoSizeDesc, float64(n.RepoSize), source, stanza, t)
			}
			if !n.Start.IsZero() && !n.Stop.Before(n.Start) {
				r.Gauge(newestDurationDesc, n.Stop.Sub(n.Start).Seconds(), source, stanza, t)
			}
		}
		if o := s.oldest; o != nil {
			r.Gauge(oldestTimestampDesc, unixSeconds(o.Stop), source, stanza, t)
		}
	}
}

// clock is a backup check's time source: time.Now, or the time a test
// sets (setNow), so that an age is judged at a known moment.
type clock struct{ now func() time.Time }

func (c *clock) setNow(now func() time.Time) { c.now = now }

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// assertThresholds records the freshness and retention conditions over the
// good backups of one stanza. prefix names the stanza in condition names
// when there are several. fullType is the type that counts as full.
func assertThresholds(r *collector.Report, th BackupThresholds, prefix string, entries []entry, fullType string, now time.Time) {
	var newest, newestFull, oldest *entry
	good := 0
	for i := range entries {
		e := &entries[i]
		if e.Error {
			continue
		}
		good++
		if newest == nil || e.Stop.After(newest.Stop) {
			newest = e
		}
		if e.Type == fullType && (newestFull == nil || e.Stop.After(newestFull.Stop)) {
			newestFull = e
		}
		if oldest == nil || e.Stop.Before(oldest.Stop) {
			oldest = e
		}
	}
	r.Assert(prefix+"has a good backup", good > 0, fmt.Sprintf("%d good of %d", good, len(entries)), "at least one backup without error")
	if th.MaxAge > 0 {
		ageCondition(r, prefix+"newest backup age", newest, th.MaxAge, now)
	}
	if th.MaxFullAge > 0 {
		ageCondition(r, prefix+"newest full backup age", newestFull, th.MaxFullAge, now)
	}
	if th.MinRetention > 0 {
		obs := "no backup"
		ok := false
		if oldest != nil {
			age := now.Sub(oldest.Stop)
			obs = fmt.Sprintf("oldest %s old (%s)", human.Duration(age), oldest.Stop.UTC().Format(time.RFC3339))
			ok = age >= time.Duration(th.MinRetention)
		}
		r.Assert(prefix+"retention", ok, obs, fmt.Sprintf("oldest backup at least %s old", th.MinRetention))
	}
	if th.TakenAfter != nil {
		obs := "no backup"
		ok := false
		if newest != nil {
			obs = fmt.Sprintf("newest %s at %s", newest.Name, newest.Stop.UTC().Format(time.RFC3339))
			ok = newest.Stop.After(th.TakenAfter.Time)
		}
		r.Assert(prefix+"backup after cut-off", ok, obs, "finished after "+th.TakenAfter.UTC().Format(time.RFC3339))
	}
	if th.MinCount > 0 {
		r.Assert(prefix+"backups kept", good >= th.MinCount, fmt.Sprintf("%d good backups", good), fmt.Sprintf("at least %d", th.MinCount))
	}
}

func ageCondition(r *collector.Report, name string, e *entry, max model.Duration, now time.Time) {
	if e == nil {
		r.Assert(name, false, "no such backup", "at most "+max.String()+" old")
		return
	}
	age := now.Sub(e.Stop)
	r.AssertReason(collector.ReasonStale, name, age <= time.Duration(max),
		fmt.Sprintf("%s old (%s, %s)", human.Duration(age), e.Name, e.Stop.UTC().Format(time.RFC3339)),
		"at most "+max.String()+" old")
}
