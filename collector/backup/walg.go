package backup

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

var (
	walVerifyStatusDesc = collector.NewDesc("golive_backup_wal_verify_status",
		"Result of wal-g wal-verify per verification (integrity, timeline): 0 OK, 1 WARNING, 2 FAILURE, 3 unknown.",
		"source", "stanza", "verify")
	walMissingSegmentsDesc = collector.NewDesc("golive_backup_wal_missing_segments",
		"WAL segments wal-g wal-verify did not find in storage, by status (MISSING_LOST, MISSING_DELAYED, MISSING_UPLOADING).",
		"source", "stanza", "status")
	permanentDesc = collector.NewDesc("golive_backup_permanent_backups",
		"Number of backups marked permanent (never deleted by retention).", "source", "stanza")
)

type walgCheck struct {
	cfg        *WALGCheck
	src        source
	verifyFile string
	clock
}

func newWALG(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*WALGCheck)
	return &walgCheck{cfg: cfg, src: newSource(cfg.CommandOrFile, env),
		verifyFile: env.Config.ResolvePath(cfg.WALVerifyFile), clock: clock{time.Now}}, nil
}

func (c *walgCheck) output(ctx context.Context, file string, args ...string) ([]byte, error) {
	if c.src.conf != "" {
		args = append([]string{"--config", c.src.conf}, args...)
	}
	return c.src.output(ctx, file, args...)
}

// Run reads the backup list (and optionally wal-verify) and checks it.
func (c *walgCheck) Run(ctx context.Context, r *collector.Report) error {
	data, err := c.output(ctx, c.src.file, "backup-list", "--detail", "--json")
	if err != nil {
		return err
	}
	backups, err := ParseWALGBackupList(data)
	if err != nil {
		return collector.WithReason(collector.ReasonInvalidResponse, err)
	}
	entries := make([]entry, 0, len(backups))
	permanent := 0
	for _, b := range backups {
		e := entry{Type: b.Type(), Name: b.BackupName, Start: b.StartTime, Stop: b.Finished(), DBSize: -1, RepoSize: -1}
		if b.UncompressedSize != nil {
			e.DBSize = *b.UncompressedSize
		}
		if b.CompressedSize != nil {
			e.RepoSize = *b.CompressedSize
		}
		if b.IsPermanent {
			permanent++
		}
		entries = append(entries, e)
	}
	recordEntries(r, sourceWALG, "", entries)
	r.Gauge(permanentDesc, float64(permanent), sourceWALG, "")
	assertThresholds(r, c.cfg.BackupThresholds, "", entries, "full", c.now())

	if c.cfg.WALVerify || c.verifyFile != "" {
		file := c.verifyFile
		if c.cfg.File != "" && file == "" {
			return collector.Failf(collector.ReasonConfig, "wal_verify needs wal_verify_file when the backup list comes from a file")
		}
		data, err := c.output(ctx, file, "wal-verify", "integrity", "timeline", "--json")
		if err != nil {
			return fmt.Errorf("wal-verify: %w", err)
		}
		v, err := ParseWALGVerify(data)
		if err != nil {
			return collector.WithReason(collector.ReasonInvalidResponse, err)
		}
		recordVerify(r, v)
	}
	return nil
}

func recordVerify(r *collector.Report, v WALGVerify) {
	if v.Integrity != nil {
		r.Gauge(walVerifyStatusDesc, verifyStatusValue(v.Integrity.Status), sourceWALG, "", "integrity")
		missing := v.MissingSegments()
		for _, st := range []string{"MISSING_LOST", "MISSING_DELAYED", "MISSING_UPLOADING"} {
			r.Gauge(walMissingSegmentsDesc, float64(missing[st]), sourceWALG, "", st)
		}
		var parts []string
		for st, n := range missing {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
		sort.Strings(parts)
		obs := v.Integrity.Status
		if len(parts) > 0 {
			obs += " (" + strings.Join(parts, ", ") + ")"
		}
		r.Assert("WAL integrity", v.Integrity.Status == "OK", obs, "OK")
	}
	if v.Timeline != nil {
		r.Gauge(walVerifyStatusDesc, verifyStatusValue(v.Timeline.Status), sourceWALG, "", "timeline")
		r.Assert("WAL timeline", v.Timeline.Status == "OK",
			fmt.Sprintf("%s (current %d, highest in storage %d)", v.Timeline.Status, v.Timeline.Details.CurrentTimelineID, v.Timeline.Details.HighestStorageTimelineID), "OK")
	}
}
