package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// PgBackRestStanza is one element of `pgbackrest info --output=json`. Only
// the fields the checks use are decoded; everything else is ignored so that
// newer pgBackRest versions keep parsing.
type PgBackRestStanza struct {
	Name   string `json:"name"`
	Cipher string `json:"cipher"`
	Status struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Lock    struct {
			Backup  pgbrLock  `json:"backup"`
			Restore *pgbrLock `json:"restore"`
		} `json:"lock"`
	} `json:"status"`
	Repo    []PgBackRestRepo    `json:"repo"`
	Backup  []PgBackRestBackup  `json:"backup"`
	Archive []PgBackRestArchive `json:"archive"`
	DB      []struct {
		ID      int    `json:"id"`
		RepoKey int    `json:"repo-key"`
		Version string `json:"version"`
		// SystemID exceeds 2^53: a float64 would round it.
		SystemID uint64 `json:"system-id"`
	} `json:"db"`
}

type pgbrLock struct {
	Held bool `json:"held"`
	// Size and SizeComplete show the progress of a running backup/restore.
	Size         *int64 `json:"size"`
	SizeComplete *int64 `json:"size-cplt"`
}

// PgBackRestRepo is one repository's status within a stanza.
type PgBackRestRepo struct {
	Key    int    `json:"key"`
	Cipher string `json:"cipher"`
	Status struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"status"`
}

// PgBackRestBackup is one backup of a stanza.
type PgBackRestBackup struct {
	Label string `json:"label"`
	Type  string `json:"type"`
	Error *bool  `json:"error"`
	// Timestamps are unix seconds.
	Timestamp struct {
		Start int64 `json:"start"`
		Stop  int64 `json:"stop"`
	} `json:"timestamp"`
	Archive struct {
		Start *string `json:"start"`
		Stop  *string `json:"stop"`
	} `json:"archive"`
	Database struct {
		ID      int `json:"id"`
		RepoKey int `json:"repo-key"`
	} `json:"database"`
	Info struct {
		Size       *int64 `json:"size"`
		Delta      *int64 `json:"delta"`
		Repository struct {
			Size    *int64 `json:"size"`
			Delta   *int64 `json:"delta"`
			SizeMap *int64 `json:"size-map"`
		} `json:"repository"`
	} `json:"info"`
}

// Errored reports whether pgBackRest flagged the backup with an error.
func (b PgBackRestBackup) Errored() bool { return b.Error != nil && *b.Error }

// PgBackRestArchive is the WAL range archived for one database id.
type PgBackRestArchive struct {
	ID       string  `json:"id"`
	Min      *string `json:"min"`
	Max      *string `json:"max"`
	Database struct {
		ID      int `json:"id"`
		RepoKey int `json:"repo-key"`
	} `json:"database"`
}

// ParsePgBackRestInfo decodes `pgbackrest info --output=json`.
func ParsePgBackRestInfo(data []byte) ([]PgBackRestStanza, error) {
	return parsePgBackRestInfo(data, "")
}

// parsePgBackRestInfo is ParsePgBackRestInfo for the output of the
// command (file "") or the file it was saved to, which the errors name and
// judge in the words of the other parsers (empty, binary, truncated).
func parsePgBackRestInfo(data []byte, file string) ([]PgBackRestStanza, error) {
	subject, howTo := "pgbackrest info output", "is --output=json honoured?"
	if file != "" {
		subject, howTo = "pgbackrest info file "+file, "write it with pgbackrest info --output=json"
	}
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0 && file == "":
		return nil, fmt.Errorf("pgbackrest info printed nothing; expected a JSON array of stanzas")
	case len(data) == 0:
		return nil, fmt.Errorf("%s is empty; expected a JSON array of stanzas", subject)
	case bytes.IndexByte(data[:min(len(data), 4096)], 0) >= 0:
		return nil, fmt.Errorf("%s is binary (NUL bytes), not pgbackrest info --output=json", subject)
	case data[0] != '[':
		return nil, fmt.Errorf("%s is not a JSON array (starts with %q); %s", subject, firstLine(data), howTo)
	}
	var out []PgBackRestStanza
	if err := json.Unmarshal(data, &out); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) && syn.Offset >= int64(len(data)) {
			return nil, fmt.Errorf("%s is truncated: the JSON ends early; was it written completely?", subject)
		}
		return nil, fmt.Errorf("%s is not valid JSON: %w", subject, err)
	}
	for i, s := range out {
		if s.Name == "" {
			return nil, fmt.Errorf("pgbackrest info: stanza %d has no name", i)
		}
	}
	return out, nil
}

// firstLine is at most 40 bytes of the first line, for error messages.
func firstLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if len(b) > 40 {
		b = b[:40]
	}
	return string(b)
}
