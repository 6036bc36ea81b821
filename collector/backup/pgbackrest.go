package backup

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

var (
	statusCodeDesc = collector.NewDesc("golive_backup_status_code",
		"pgBackRest stanza status code: 0 ok, 1 missing stanza path, 2 no valid backups, 3 missing stanza data, 4 different across repos, 5 database mismatch across repos, 6 requested backup not found, 99 other.",
		"source", "stanza")
	repoStatusCodeDesc = collector.NewDesc("golive_backup_repo_status_code",
		"pgBackRest status code of one repository of the stanza (same codes as golive_backup_status_code).",
		"source", "stanza", "repo")
	repoEncryptedDesc = collector.NewDesc("golive_backup_repo_encrypted",
		"Whether the repository is encrypted (1: a cipher other than none).", "source", "stanza", "repo")
	lockHeldDesc = collector.NewDesc("golive_backup_lock_held",
		"Whether a backup or restore is running on the stanza (its lock is held).", "source", "stanza", "lock")
	walSegmentDesc = collector.NewDesc("golive_backup_wal_archive_segment",
		"Oldest (bound=min) and newest (bound=max) archived WAL segment as a number: log*256+segment of the WAL file name (the segment count for 16 MiB segments).",
		"source", "stanza", "bound")
	walTimelineDesc = collector.NewDesc("golive_backup_wal_archive_timeline",
		"Timeline of the oldest (bound=min) and newest (bound=max) archived WAL segment.", "source", "stanza", "bound")
)

type pgBackRestCheck struct {
	cfg *PgBackRestCheck
	src source
	clock
}

func newPgBackRest(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*PgBackRestCheck)
	return &pgBackRestCheck{cfg: cfg, src: newSource(cfg.CommandOrFile, env), clock: clock{time.Now}}, nil
}

func (c *pgBackRestCheck) read(ctx context.Context) ([]byte, error) {
	var args []string
	if c.src.conf != "" {
		args = append(args, "--config="+c.src.conf)
	}
	if c.cfg.Stanza != "" {
		args = append(args, "--stanza="+c.cfg.Stanza)
	}
	args = append(args, "--output=json", "info")
	return c.src.output(ctx, c.src.file, args...)
}

// Run reads pgBackRest's catalogue and checks every stanza (or the
// configured one).
func (c *pgBackRestCheck) Run(ctx context.Context, r *collector.Report) error {
	data, err := c.read(ctx)
	if err != nil {
		return err
	}
	stanzas, err := parsePgBackRestInfo(data, c.src.file)
	if err != nil {
		return collector.WithReason(collector.ReasonInvalidResponse, err)
	}
	if c.cfg.Stanza != "" {
		var names []string
		var keep []PgBackRestStanza
		for _, s := range stanzas {
			names = append(names, s.Name)
			if s.Name == c.cfg.Stanza {
				keep = append(keep, s)
			}
		}
		if len(keep) == 0 {
			return collector.Failf(collector.ReasonNotFound, "stanza %q is not in pgbackrest's catalogue (stanzas: %s); check the name or run stanza-create", c.cfg.Stanza, orNone(names))
		}
		stanzas = keep
	}
	if len(stanzas) == 0 {
		return collector.Failf(collector.ReasonNotFound, "pgbackrest knows no stanza; create one with `pgbackrest --stanza=NAME stanza-create`")
	}
	now := c.now()
	for _, s := range stanzas {
		prefix := ""
		if len(stanzas) > 1 {
			prefix = s.Name + ": "
		}
		c.checkStanza(r, s, prefix, now)
	}
	return nil
}

func (c *pgBackRestCheck) checkStanza(r *collector.Report, s PgBackRestStanza, prefix string, now time.Time) {
	r.Gauge(statusCodeDesc, float64(s.Status.Code), sourcePgBackRest, s.Name)
	msg := strings.ReplaceAll(s.Status.Message, "\n", " ")
	var repoProblems []string
	for _, repo := range s.Repo {
		key := strconv.Itoa(repo.Key)
		r.Gauge(repoStatusCodeDesc, float64(repo.Status.Code), sourcePgBackRest, s.Name, key)
		r.Bool(repoEncryptedDesc, encrypted(repo.Cipher), sourcePgBackRest, s.Name, key)
		if repo.Status.Code != 0 {
			repoProblems = append(repoProblems, fmt.Sprintf("repo%d: %s", repo.Key, firstLineOf(repo.Status.Message)))
		}
	}
	if len(repoProblems) > 0 {
		msg += " (" + strings.Join(repoProblems, "; ") + ")"
	}
	r.Assert(prefix+"stanza status", s.Status.Code == 0, fmt.Sprintf("code %d: %s", s.Status.Code, msg), "code 0 (ok)")

	r.Bool(lockHeldDesc, s.Status.Lock.Backup.Held, sourcePgBackRest, s.Name, "backup")
	if s.Status.Lock.Restore != nil {
		r.Bool(lockHeldDesc, s.Status.Lock.Restore.Held, sourcePgBackRest, s.Name, "restore")
	}

	entries := make([]entry, 0, len(s.Backup))
	errored := 0
	for _, b := range s.Backup {
		e := entry{Type: b.Type, Name: b.Label, Start: time.Unix(b.Timestamp.Start, 0), Stop: time.Unix(b.Timestamp.Stop, 0),
			DBSize: -1, RepoSize: -1, Error: b.Errored()}
		if b.Timestamp.Start == 0 {
			e.Start = time.Time{}
		}
		if b.Info.Size != nil {
			e.DBSize = *b.Info.Size
		}
		if b.Info.Repository.Size != nil {
			e.RepoSize = *b.Info.Repository.Size
		}
		if e.Error {
			errored++
		}
		entries = append(entries, e)
	}
	recordEntries(r, sourcePgBackRest, s.Name, entries)
	assertThresholds(r, c.cfg.BackupThresholds, prefix, entries, "full", now)
	r.Warn(prefix+"backups flagged with an error", errored == 0, fmt.Sprintf("%d of %d", errored, len(entries)), "none")

	lo, hi := walRange(s.Archive)
	if lo != "" {
		recordWAL(r, s.Name, "min", lo)
		recordWAL(r, s.Name, "max", hi)
	}
	if len(entries) > 0 {
		r.Warn(prefix+"WAL archive", hi != "", walObserved(lo, hi), "archived WAL present for the backups")
	}

	if c.cfg.RequireEncryption {
		ok := len(s.Repo) > 0
		var obs []string
		for _, repo := range s.Repo {
			obs = append(obs, fmt.Sprintf("repo%d %s", repo.Key, orNone([]string{repo.Cipher})))
			if !encrypted(repo.Cipher) {
				ok = false
			}
		}
		if len(s.Repo) == 0 {
			obs = append(obs, "stanza cipher "+orNone([]string{s.Cipher}))
			ok = encrypted(s.Cipher) && s.Cipher != "mixed"
		}
		r.Assert(prefix+"repository encryption", ok, strings.Join(obs, ", "), "every repository encrypted (repo-cipher-type)")
	}
}

func encrypted(cipher string) bool { return cipher != "" && cipher != "none" }

func orNone(ss []string) string {
	var keep []string
	for _, s := range ss {
		if s != "" {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		return "none"
	}
	return strings.Join(keep, ", ")
}

// firstLineOf is s up to its first newline.
func firstLineOf(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// maxMessageLen bounds the part of a message a file gives (a failure
// marker, a sidecar, a restore job's result) that a condition shows.
const maxMessageLen = 200

// messageLine is a message from a file as a condition shows it: its first
// line, trimmed, as valid UTF-8 of at most maxMessageLen bytes.
func messageLine(s string) string {
	return collector.CutUTF8(strings.TrimSpace(firstLineOf(s)), maxMessageLen)
}

// walRange returns the oldest and newest archived WAL file names over every
// archive (24 hex digits compare in order as strings).
func walRange(archives []PgBackRestArchive) (lo, hi string) {
	for _, a := range archives {
		if a.Min != nil && validWAL(*a.Min) && (lo == "" || *a.Min < lo) {
			lo = *a.Min
		}
		if a.Max != nil && validWAL(*a.Max) && *a.Max > hi {
			hi = *a.Max
		}
	}
	if lo == "" || hi == "" {
		return "", ""
	}
	return lo, hi
}

func walObserved(lo, hi string) string {
	if hi == "" {
		return "no archived WAL"
	}
	return lo + " .. " + hi
}

func validWAL(name string) bool {
	if len(name) != 24 {
		return false
	}
	_, err := strconv.ParseUint(name[:8], 16, 32)
	_, err2 := strconv.ParseUint(name[8:], 16, 64)
	return err == nil && err2 == nil
}

// parseWAL splits a WAL file name into its timeline and log*256+segment.
func parseWAL(name string) (timeline uint64, segment uint64) {
	timeline, _ = strconv.ParseUint(name[:8], 16, 32)
	log, _ := strconv.ParseUint(name[8:16], 16, 32)
	seg, _ := strconv.ParseUint(name[16:], 16, 32)
	return timeline, log*256 + seg
}

func recordWAL(r *collector.Report, stanza, bound, name string) {
	tl, seg := parseWAL(name)
	r.Gauge(walTimelineDesc, float64(tl), sourcePgBackRest, stanza, bound)
	r.Gauge(walSegmentDesc, float64(seg), sourcePgBackRest, stanza, bound)
}
