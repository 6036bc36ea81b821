package backup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// WALGBackup is one element of `wal-g backup-list --detail --json`.
type WALGBackup struct {
	BackupName  string    `json:"backup_name"`
	Time        time.Time `json:"time"`
	WalFileName string    `json:"wal_file_name"`
	StorageName string    `json:"storage_name"`
	StartTime   time.Time `json:"start_time"`
	FinishTime  time.Time `json:"finish_time"`
	Hostname    string    `json:"hostname"`
	DataDir     string    `json:"data_dir"`
	PgVersion   int       `json:"pg_version"`
	StartLSN    uint64    `json:"start_lsn"`
	FinishLSN   uint64    `json:"finish_lsn"`
	IsPermanent bool      `json:"is_permanent"`
	// SystemIdentifier exceeds 2^53: a float64 would round it.
	SystemIdentifier uint64 `json:"system_identifier"`
	UncompressedSize *int64 `json:"uncompressed_size"`
	CompressedSize   *int64 `json:"compressed_size"`
}

// Type is "delta" for a delta backup (base_<WAL>_D_<base WAL>), else "full".
func (b WALGBackup) Type() string {
	if strings.Contains(b.BackupName, "_D_") {
		return "delta"
	}
	return "full"
}

// Finished is when the backup ended: finish_time, or time when that is
// missing (plain backup-list without --detail).
func (b WALGBackup) Finished() time.Time {
	if !b.FinishTime.IsZero() {
		return b.FinishTime
	}
	return b.Time
}

// ParseWALGBackupList decodes `wal-g backup-list --detail --json`.
func ParseWALGBackupList(data []byte) ([]WALGBackup, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, fmt.Errorf("wal-g backup-list printed nothing; expected a JSON array")
	}
	if data[0] != '[' {
		return nil, fmt.Errorf("wal-g backup-list output is not a JSON array (starts with %q); was --json given?", firstLine(data))
	}
	var out []WALGBackup
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("wal-g backup-list output is not valid JSON: %w", err)
	}
	for i, b := range out {
		if b.BackupName == "" {
			return nil, fmt.Errorf("wal-g backup-list: entry %d has no backup_name", i)
		}
		if b.Finished().IsZero() {
			return nil, fmt.Errorf("wal-g backup-list: backup %s has no time", b.BackupName)
		}
	}
	return out, nil
}

// WALGVerify is `wal-g wal-verify integrity timeline --json`.
type WALGVerify struct {
	Integrity *struct {
		Status  string `json:"status"`
		Details []struct {
			TimelineID    uint32 `json:"timeline_id"`
			StartSegment  string `json:"start_segment"`
			EndSegment    string `json:"end_segment"`
			SegmentsCount int64  `json:"segments_count"`
			Status        string `json:"status"`
		} `json:"details"`
	} `json:"integrity"`
	Timeline *struct {
		Status  string `json:"status"`
		Details struct {
			CurrentTimelineID        uint32 `json:"current_timeline_id"`
			HighestStorageTimelineID uint32 `json:"highest_storage_timeline_id"`
		} `json:"details"`
	} `json:"timeline"`
}

// MissingSegments counts the integrity ranges' segments that are not
// FOUND, by status (MISSING_LOST, MISSING_DELAYED, MISSING_UPLOADING).
func (v WALGVerify) MissingSegments() map[string]int64 {
	out := map[string]int64{}
	if v.Integrity == nil {
		return out
	}
	for _, d := range v.Integrity.Details {
		if d.Status != "FOUND" {
			out[d.Status] += d.SegmentsCount
		}
	}
	return out
}

// ParseWALGVerify decodes `wal-g wal-verify ... --json`.
func ParseWALGVerify(data []byte) (WALGVerify, error) {
	var v WALGVerify
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return v, fmt.Errorf("wal-g wal-verify output is not a JSON object (starts with %q)", firstLine(data))
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return v, fmt.Errorf("wal-g wal-verify output is not valid JSON: %w", err)
	}
	if v.Integrity == nil && v.Timeline == nil {
		return v, fmt.Errorf("wal-g wal-verify output has neither integrity nor timeline")
	}
	return v, nil
}

// verifyStatusValue maps wal-verify's statuses to numbers (0 OK, 1
// WARNING, 2 FAILURE, 3 anything else).
func verifyStatusValue(s string) float64 {
	switch s {
	case "OK":
		return 0
	case "WARNING":
		return 1
	case "FAILURE":
		return 2
	}
	return 3
}
