package backup

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Barman's `-f json` output is keyed by server name. The barman kind reads
// list-backups and check; show-backup's parser is not used by a kind yet
// and is kept so that the recorded output is known to parse.

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

// BarmanShowBackup is the part of `barman -f json show-backup` the checks
// would use.
type BarmanShowBackup struct {
	BackupID string `json:"backup_id"`
	Status   string `json:"status"`
	Base     struct {
		BeginTimeTimestamp string  `json:"begin_time_timestamp"`
		EndTimeTimestamp   string  `json:"end_time_timestamp"`
		CopyTimeSeconds    float64 `json:"copy_time_seconds"`
		DiskUsageBytes     int64   `json:"disk_usage_bytes"`
		BeginWAL           string  `json:"begin_wal"`
		EndWAL             string  `json:"end_wal"`
		Timeline           int     `json:"timeline"`
	} `json:"base_backup_information"`
	WAL struct {
		DiskUsageBytes int64  `json:"disk_usage_bytes"`
		LastAvailable  string `json:"last_available"`
		NoOfFiles      int64  `json:"no_of_files"`
	} `json:"wal_information"`
	PostgresqlVersion int `json:"postgresql_version"`
}

// ParseBarmanShowBackup decodes `barman -f json show-backup`.
func ParseBarmanShowBackup(data []byte) (map[string]BarmanShowBackup, error) {
	var out map[string]BarmanShowBackup
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("barman show-backup output is not valid JSON: %w", err)
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
