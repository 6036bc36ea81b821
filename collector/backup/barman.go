package backup

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/human"
)

var barmanCheckDesc = collector.NewDesc("golive_backup_barman_check_ok",
	"Result of one of Barman's own checks (barman check): 1 OK, 0 FAILED.", "source", "stanza", "barman_check")

type barmanCheck struct {
	cfg       *BarmanCheck
	src       source
	checkFile string
	clock
}

func newBarman(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*BarmanCheck)
	return &barmanCheck{cfg: cfg, src: newSource(cfg.CommandOrFile, env),
		checkFile: env.Config.ResolvePath(cfg.CheckFile), clock: clock{time.Now}}, nil
}

// output runs `barman [-c F] -f json SUBCOMMAND SERVER|all` or reads file.
func (c *barmanCheck) output(ctx context.Context, file string, okExit []int, sub string) ([]byte, error) {
	var args []string
	if c.src.conf != "" {
		args = append(args, "-c", c.src.conf)
	}
	server := c.cfg.Server
	if server == "" {
		server = "all"
	}
	args = append(args, "-f", "json", sub, server)
	return c.src.outputExit(ctx, file, okExit, args...)
}

// what names the output in a parse error: the file a job wrote, or the
// command's output.
func (c *barmanCheck) what(file, sub string) string {
	if file != "" {
		return fmt.Sprintf("barman %s file %s", sub, file)
	}
	return "barman " + sub + " output"
}

// Run reads Barman's backup list (and its own checks) and checks every
// server, or the configured one.
func (c *barmanCheck) Run(ctx context.Context, r *collector.Report) error {
	data, err := c.output(ctx, c.src.file, nil, "list-backups")
	if err != nil {
		return err
	}
	servers, err := ParseBarmanListBackups(data)
	if err != nil {
		return collector.Failf(collector.ReasonInvalidResponse, "%s: %v", c.what(c.src.file, "list-backups"), err)
	}
	names := make([]string, 0, len(servers))
	for name := range servers {
		names = append(names, name)
	}
	sort.Strings(names)
	if c.cfg.Server != "" {
		if _, ok := servers[c.cfg.Server]; !ok {
			return collector.Failf(collector.ReasonNotFound, "server %q is not in barman's backup list (servers: %s); check the name against barman.conf", c.cfg.Server, orNone(names))
		}
		names = []string{c.cfg.Server}
	}
	if len(names) == 0 {
		return collector.Failf(collector.ReasonNotFound, "barman lists no server; configure one in barman.conf")
	}
	now := c.now()
	for _, name := range names {
		prefix := ""
		if len(names) > 1 {
			prefix = name + ": "
		}
		c.checkServer(r, name, prefix, servers[name], now)
	}
	if c.cfg.Check || c.checkFile != "" {
		return c.barmanChecks(ctx, r, names)
	}
	return nil
}

// checkServer records one server's backups. Barman's backups are all full
// ones; a backup still running (STARTED) or waiting for its WAL
// (WAITING_FOR_WALS) is left out until it is DONE, and a FAILED one counts
// as flagged with an error.
func (c *barmanCheck) checkServer(r *collector.Report, server, prefix string, backups []BarmanBackup, now time.Time) {
	entries := make([]entry, 0, len(backups))
	failed, pending := 0, 0
	for _, b := range backups {
		e := entry{Type: "full", Name: b.BackupID, Stop: b.EndTime(), DBSize: -1, RepoSize: b.SizeBytes}
		switch b.Status {
		case "DONE":
		case "FAILED":
			e.Error = true
			failed++
		default:
			pending++
			continue
		}
		entries = append(entries, e)
	}
	recordEntries(r, sourceBarman, server, entries)
	assertThresholds(r, c.cfg.BackupThresholds, prefix, entries, "full", now)
	r.Warn(prefix+"backups flagged with an error", failed == 0, fmt.Sprintf("%d of %d FAILED", failed, len(entries)), "none")
	if pending > 0 {
		r.Warn(prefix+"backups in progress", false, fmt.Sprintf("%d not DONE yet (STARTED or WAITING_FOR_WALS)", pending), "none")
	}
}

// barmanChecks reads `barman -f json check`, which exits 1 when a check
// fails but still prints the JSON.
func (c *barmanCheck) barmanChecks(ctx context.Context, r *collector.Report, servers []string) error {
	file := c.checkFile
	if c.src.file != "" && file == "" {
		return collector.Failf(collector.ReasonConfig, "check needs check_file when the backup list comes from a file")
	}
	data, err := c.output(ctx, file, []int{1}, "check")
	if err != nil {
		return fmt.Errorf("barman check: %w", err)
	}
	results, err := ParseBarmanCheck(data)
	if err != nil {
		return collector.Failf(collector.ReasonInvalidResponse, "%s: %v", c.what(file, "check"), err)
	}
	for _, server := range servers {
		prefix := ""
		if len(servers) > 1 {
			prefix = server + ": "
		}
		checks, ok := results[server]
		if !ok {
			r.Assert(prefix+"barman check", false, "server not in barman check's output", "every barman check OK")
			continue
		}
		keys := make([]string, 0, len(checks))
		for k := range checks {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var bad []string
		for _, k := range keys {
			res := checks[k]
			ok := res.Status == "OK"
			r.Bool(barmanCheckDesc, ok, sourceBarman, server, k)
			if !ok {
				s := k
				if res.Hint != "" {
					s += " (" + res.Hint + ")"
				}
				bad = append(bad, s)
			}
		}
		obs := fmt.Sprintf("%d of %d OK", len(keys)-len(bad), len(keys))
		if len(bad) > 0 {
			obs += "; failed: " + human.List(bad, 5)
		}
		r.Assert(prefix+"barman check", len(bad) == 0, obs, "every barman check OK")
	}
	return nil
}
