package backup

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Barman's `-f json` output is keyed by server name. The barman kind reads
// list-backups and check.

// BarmanBackup is one backup of `barman -f json list-backups`.
type BarmanBackup struct {
	BackupID string `json:"backup_id"`
	// EndTimeTimestamp is unix seconds written as a string.
	EndTimeTimestamp string `json:"end_time_timestamp"`
	RetentionStatus  string `json:"retention_status"`
	SizeBytes        int64  `json:"size_bytes"`
	WALSizeBytes     int64  `json:"wal_size_bytes"`
	Status           string `json:"status"`
}

// EndTime is the backup's end as a time (zero when absent or invalid).
func (b BarmanBackup) EndTime() time.Time {
	n, err := strconv.ParseInt(b.EndTimeTimestamp, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}

// ParseBarmanListBackups decodes `barman -f json list-backups`.
func ParseBarmanListBackups(data []byte) (map[string][]BarmanBackup, error) {
	var out map[string][]BarmanBackup
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("barman list-backups output is not valid JSON: %w", err)
	}
	return out, nil
}

// BarmanCheckResult is one line of `barman -f json check`.
type BarmanCheckResult struct {
	Status string `json:"status"`
	Hint   string `json:"hint"`
}

// ParseBarmanCheck decodes `barman -f json check`: server → check → result.
func ParseBarmanCheck(data []byte) (map[string]map[string]BarmanCheckResult, error) {
	var out map[string]map[string]BarmanCheckResult
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("barman check output is not valid JSON: %w", err)
	}
	return out, nil
}
