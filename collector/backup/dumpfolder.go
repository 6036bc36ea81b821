package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

var (
	markerDesc = collector.NewDesc("golive_backup_failure_marker_present",
		"Whether the backup script's failure marker file is present (1 fails the check).", "source", "stanza")
	insecureDesc = collector.NewDesc("golive_backup_insecure_files",
		"Number of dump files or folders readable or writable by every user.", "source", "stanza")
	isolatedDesc = collector.NewDesc("golive_backup_isolated",
		"Whether the dumps are on another filesystem than the database's data directory.", "source", "stanza")
	unreadableDesc = collector.NewDesc("golive_backup_unreadable_entries",
		"Number of entries the dump glob matches that were skipped as unreadable (symbolic link loops, links to nothing, FIFOs, files the exporter may not read).", "source", "stanza")
)

// maxSidecar bounds a sidecar JSON file.
const maxSidecar = 1 << 20

type dumpFolderCheck struct {
	cfg      *DumpFolderCheck
	lister   *dumpLister
	marker   string
	isolated string
	clock
}

func newDumpFolder(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*DumpFolderCheck)
	l, err := newDumpLister(&cfg.DumpSelection, env.Config)
	if err != nil {
		return nil, err
	}
	chk := &dumpFolderCheck{cfg: cfg, lister: l, isolated: env.Config.ResolvePath(cfg.IsolatedFrom), clock: clock{time.Now}}
	if m := cfg.FailureMarker; m != "" {
		if strings.ContainsRune(m, '/') {
			chk.marker = env.Config.ResolvePath(m)
		} else {
			chk.marker = filepath.Join(l.folder(), m)
		}
	}
	return chk, nil
}

// Run lists the dumps and checks age, retention, size, marker, sidecar,
// permissions and isolation.
func (c *dumpFolderCheck) Run(ctx context.Context, r *collector.Report) error {
	// The marker counts even when there are no dumps at all: it says why.
	if c.marker != "" {
		if err := c.checkMarker(ctx, r); err != nil {
			return err
		}
	}
	dumps, skipped, err := c.lister.list(ctx)
	if err != nil {
		return err
	}
	r.Gauge(unreadableDesc, float64(len(skipped)), sourceDumpFolder, "")
	reportSkipped(r, len(dumps), skipped)
	now := c.now()
	entries := make([]entry, len(dumps))
	fromMtime := 0
	var insecure []string
	for i, d := range dumps {
		entries[i] = entry{Type: "dump", Name: d.Name, Stop: d.Time, DBSize: d.Size, RepoSize: d.Size}
		if !d.FromName {
			fromMtime++
		}
		insecure = append(insecure, d.Insecure...)
	}
	recordEntries(r, sourceDumpFolder, "", entries)
	assertThresholds(r, c.cfg.BackupThresholds, "", entries, "dump", now)
	if c.lister.nameRE != nil {
		r.Warn("dump names carry a timestamp", fromMtime == 0,
			fmt.Sprintf("%d of %d dumps dated by modification time", fromMtime, len(dumps)), "every name matches "+c.cfg.NamePattern)
	}
	if ns := newestSkipped(dumps, skipped); ns != nil {
		// The newest good dump is not the newest: judging its size, format
		// and sidecar would describe an older backup as the newest.
		r.Assert(condNewestReadable, false, ns.Name+": "+ns.why(), "the newest dump readable by the exporter")
		return c.checkRest(ctx, r, insecure)
	}
	newest := dumps[len(dumps)-1]
	if c.cfg.MinSize > 0 {
		r.Assert("newest dump size", newest.Size >= int64(c.cfg.MinSize),
			fmt.Sprintf("%s is %s", newest.Name, config.ByteSize(newest.Size)), "at least "+c.cfg.MinSize.String())
	}
	ok, why := formatMatchesName(newest)
	obs := newest.Name + ": " + newest.Format
	if !ok {
		obs = newest.Name + ": " + why
	}
	r.Assert("newest dump format", ok, obs, "a pg_dump file (custom, directory, tar, plain SQL or gzip)")
	if err := c.checkSidecar(ctx, r, newest); err != nil {
		return err
	}
	return c.checkRest(ctx, r, insecure)
}

// checkRest checks permissions and isolation.
func (c *dumpFolderCheck) checkRest(ctx context.Context, r *collector.Report, insecure []string) error {
	if *c.cfg.Secure {
		r.Gauge(insecureDesc, float64(len(insecure)), sourceDumpFolder, "")
		obs := "none"
		if len(insecure) > 0 {
			obs = fmt.Sprintf("%d, e.g. %s", len(insecure), strings.Join(insecure[:min(3, len(insecure))], ", "))
		}
		r.Assert("dumps not readable by everyone", len(insecure) == 0, obs, "no dump readable or writable by other users (chmod o-rwx)")
	}
	if c.isolated != "" {
		return c.checkIsolated(ctx, r)
	}
	return nil
}

func (c *dumpFolderCheck) checkMarker(ctx context.Context, r *collector.Report) error {
	fi, err := fsCall(ctx, func() (fs.FileInfo, error) { return os.Stat(c.marker) })
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.Bool(markerDesc, false, sourceDumpFolder, "")
		r.Assert("no failure marker", true, "absent", c.marker+" absent")
		return nil
	case err != nil:
		return fmt.Errorf("checking failure marker %s: %w", c.marker, err)
	}
	r.Bool(markerDesc, true, sourceDumpFolder, "")
	obs := "present since " + fi.ModTime().UTC().Format(time.RFC3339)
	if data, err := readFile(ctx, c.marker, 4096); err == nil {
		if line := messageLine(string(data)); line != "" {
			obs += ": " + line
		}
	}
	r.Assert("no failure marker", false, obs, c.marker+" absent")
	return nil
}

// sidecarPath is where the sidecar of d is: its name with sidecar_suffix
// appended, or replacing sidecar_replace_suffix.
func (c *dumpFolderCheck) sidecarPath(d dump) string {
	name := d.Name
	if rs := c.cfg.SidecarReplaceSuffix; rs != "" && strings.HasSuffix(name, rs) {
		name = strings.TrimSuffix(name, rs)
	}
	return filepath.Join(filepath.Dir(d.Path), name+c.cfg.SidecarSuffix)
}

func (c *dumpFolderCheck) checkSidecar(ctx context.Context, r *collector.Report, d dump) error {
	const name = "newest dump's sidecar"
	path := c.sidecarPath(d)
	data, err := readFile(ctx, path, maxSidecar)
	if errors.Is(err, fs.ErrNotExist) {
		if c.cfg.RequireSidecar {
			r.Assert(name, false, "no sidecar "+filepath.Base(path)+" beside the newest dump",
				"a sidecar saying the backup succeeded (require_sidecar)")
		}
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		r.Assert(name, false, err.Error(), "readable JSON with status and size")
		return nil
	}
	ok, obs := evalSidecar(data, filepath.Base(path), d)
	r.Assert(name, ok, obs, "status success and the size the file has")
	return nil
}

func (c *dumpFolderCheck) checkIsolated(ctx context.Context, r *collector.Report) error {
	devOf := func(p string) (uint64, error) {
		fi, err := fsCall(ctx, func() (fs.FileInfo, error) { return os.Stat(p) })
		if err != nil {
			return 0, err
		}
		dev, ok := deviceOf(fi)
		if !ok {
			return 0, fmt.Errorf("no device number for %s on this system", p)
		}
		return dev, nil
	}
	dumpDev, err := devOf(c.lister.folder())
	if err != nil {
		return fmt.Errorf("dump folder: %w", err)
	}
	dataDev, err := devOf(c.isolated)
	if err != nil {
		return fmt.Errorf("isolated_from (the data directory): %w", err)
	}
	iso := dumpDev != dataDev
	r.Bool(isolatedDesc, iso, sourceDumpFolder, "")
	obs := "another filesystem"
	if !iso {
		obs = fmt.Sprintf("same filesystem as %s (device %d)", c.isolated, dataDev)
	}
	r.Assert("dumps isolated from the data directory", iso, obs, "the dumps on another filesystem than "+c.isolated)
	return nil
}

// evalSidecar judges a dump's sidecar JSON (name is the sidecar's file
// name, for messages): its status (or boolean success) must mean success,
// backup_file, when given, must name the dump, and its size, when given,
// must be the dump's.
func evalSidecar(data []byte, name string, d dump) (ok bool, observed string) {
	var sc sidecar
	if err := json.Unmarshal(data, &sc); err != nil {
		return false, fmt.Sprintf("%s is not valid JSON: %v", name, err)
	}
	if sc.BackupFile != "" && filepath.Base(sc.BackupFile) != d.Name {
		// A sidecar of another dump says nothing about this one.
		return false, fmt.Sprintf("%s names %s, not %s", name, sc.BackupFile, d.Name)
	}
	switch {
	case sc.Status != nil:
		ok = sidecarOK(*sc.Status)
		observed = fmt.Sprintf("status %q", *sc.Status)
	case sc.Success != nil:
		ok = *sc.Success
		observed = "success " + strconv.FormatBool(ok)
	default:
		return false, fmt.Sprintf("%s has neither \"status\" nor \"success\": it does not say whether the backup succeeded", name)
	}
	if msg := sc.message(); msg != "" && !ok {
		observed += ": " + messageLine(msg)
	}
	size := sc.Size
	if size == nil {
		size = sc.SizeBytes
	}
	if size != nil && !d.IsDir {
		observed += fmt.Sprintf(", size %d (file has %d)", *size, d.Size)
		if *size != d.Size {
			ok = false
		}
	}
	return ok, observed
}
