package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/files"
	"github.com/golive/golive_exporter/internal/human"
)

var (
	logFilesDesc = collector.NewDesc("golive_log_rotation_files",
		"Log files the configured paths match, live and rotated.")
	logLiveFilesDesc = collector.NewDesc("golive_log_rotation_live_files",
		"Matched files whose name is not that of a rotated copy (app.log, not app.log.1, app.log-20261201.gz or app.log.2026-12-01).")
	logLargestDesc = collector.NewDesc("golive_log_rotation_largest_file_bytes",
		"Size of the largest matched log file.")
	logOldestDesc = collector.NewDesc("golive_log_rotation_oldest_file_timestamp_seconds",
		"Modification time of the oldest matched log file (Unix seconds).")
	logTotalDesc = collector.NewDesc("golive_log_rotation_total_bytes",
		"Size of all matched log files together.")
	logUncoveredDesc = collector.NewDesc("golive_log_rotation_uncovered_files",
		"Live log files that no logrotate block and no rotating Python logging handler covers (only with logrotate or python_logging set).")
	logRulesDesc = collector.NewDesc("golive_log_rotation_rules",
		"Rotation rules read: logrotate blocks, and Python logging handlers that write a file.", "source")
)

// maxConfigFileSize bounds a rotation configuration file.
const maxConfigFileSize = 1 << 20

// maxLogrotateFiles bounds the configuration files include directives may
// reach.
const maxLogrotateFiles = 500

type logRotationCheck struct {
	cfg        *LogRotationCheck
	now        func() time.Time
	logrotate  *files.Cache[*logrotateFile]
	pyHandlers *files.Cache[[]pyHandler]
}

func newLogRotation(c *config.Check, _ collector.Env) (collector.Check, error) {
	return &logRotationCheck{cfg: c.Spec().(*LogRotationCheck), now: time.Now,
		logrotate: files.NewCache[*logrotateFile](), pyHandlers: files.NewCache[[]pyHandler]()}, nil
}

type logFile struct {
	path    string
	size    int64
	modTime time.Time
}

// Run measures the log files and, when rotation configurations are named,
// checks that every live log file is covered by one.
func (l *logRotationCheck) Run(ctx context.Context, r *collector.Report) error {
	cfg := l.cfg
	paths, err := files.Expand(ctx, cfg.Files, "")
	if err != nil {
		return fmt.Errorf("finding the log files: %w", err)
	}
	if len(paths) == 0 {
		return collector.Failf(collector.ReasonNotFound, "no log file matches %s; check files: (a log folder that is empty means nothing is logged there)", strings.Join(cfg.Files, ", "))
	}
	if len(paths) > cfg.MaxFiles {
		return collector.Failf(collector.ReasonInvalidResponse, "%d files match %s, more than max_files (%d); narrow the globs (rotated files that are never removed pile up like this)", len(paths), strings.Join(cfg.Files, ", "), cfg.MaxFiles)
	}
	var logs []logFile
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := os.Stat(p)
		if err != nil {
			continue // removed since the listing: rotation at work
		}
		logs = append(logs, logFile{path: p, size: info.Size(), modTime: info.ModTime()})
	}
	if len(logs) == 0 {
		return collector.Failf(collector.ReasonNotFound, "the log files matching %s disappeared while they were read", strings.Join(cfg.Files, ", "))
	}
	largest, oldest := logs[0], logs[0]
	var total int64
	var live []string
	for _, f := range logs {
		total += f.size
		if f.size > largest.size {
			largest = f
		}
		if f.modTime.Before(oldest.modTime) {
			oldest = f
		}
		if !isRotatedName(filepath.Base(f.path)) {
			live = append(live, f.path)
		}
	}
	r.Gauge(logFilesDesc, float64(len(logs)))
	r.Gauge(logLiveFilesDesc, float64(len(live)))
	r.Gauge(logLargestDesc, float64(largest.size))
	r.Gauge(logOldestDesc, float64(oldest.modTime.UnixMilli())/1000)
	r.Gauge(logTotalDesc, float64(total))
	if cfg.MaxFileSize > 0 {
		r.Assert("largest log file", largest.size <= int64(cfg.MaxFileSize),
			fmt.Sprintf("%s is %s", largest.path, formatBytes(largest.size)), "at most "+formatBytes(int64(cfg.MaxFileSize)))
	}
	if cfg.MaxAge > 0 {
		age := l.now().Sub(oldest.modTime)
		r.Assert("oldest log file", age <= time.Duration(cfg.MaxAge),
			fmt.Sprintf("%s last written %s ago", oldest.path, human.Duration(age)), "at most "+cfg.MaxAge.String()+" old")
	}
	if cfg.MaxTotalSize > 0 {
		r.Assert("log files total size", total <= int64(cfg.MaxTotalSize),
			fmt.Sprintf("%s in %d files", formatBytes(total), len(logs)), "at most "+formatBytes(int64(cfg.MaxTotalSize)))
	}
	if len(cfg.Logrotate) == 0 && len(cfg.PythonLogging) == 0 {
		return nil
	}
	return l.checkCoverage(ctx, r, live)
}

// checkCoverage reads the rotation configurations and asserts that each
// live log file is covered by a logrotate block or a rotating handler.
func (l *logRotationCheck) checkCoverage(ctx context.Context, r *collector.Report, live []string) error {
	cfg := l.cfg
	var rules []logrotateRule
	var handlers []pyHandler
	var readErr error
	if len(cfg.Logrotate) > 0 {
		var err error
		rules, err = l.loadLogrotate(ctx, cfg.Logrotate)
		if err != nil {
			readErr = err
		}
		r.Gauge(logRulesDesc, float64(len(rules)), "logrotate")
	}
	if len(cfg.PythonLogging) > 0 {
		var err error
		handlers, err = l.loadPython(ctx, cfg.PythonLogging)
		if err != nil && readErr == nil {
			readErr = err
		}
		r.Gauge(logRulesDesc, float64(len(handlers)), "python_logging")
	}
	if readErr != nil {
		// Coverage cannot be judged from a configuration that could not
		// be read.
		return readErr
	}
	var uncovered, how []string
	for _, f := range live {
		ok, why := covered(f, rules, handlers)
		if ok {
			how = append(how, filepath.Base(f)+": "+why)
		} else {
			uncovered = append(uncovered, f+" ("+why+")")
		}
	}
	r.Gauge(logUncoveredDesc, float64(len(uncovered)))
	if len(uncovered) > 0 {
		r.Assert("log rotation configured", false,
			fmt.Sprintf("%d of %d live log files not covered: %s", len(uncovered), len(live), shorten(strings.Join(uncovered, "; "), 400)),
			"every live log file covered by logrotate or a rotating handler")
	} else {
		r.Assert("log rotation configured", true,
			fmt.Sprintf("%d live log files covered: %s", len(live), shorten(strings.Join(how, "; "), 400)),
			"every live log file covered by logrotate or a rotating handler")
	}
	for _, h := range handlers {
		if h.Kind == handlerTime && h.BackupCount <= 0 {
			r.Warn("handler "+h.Name+" removes old files", false, h.String()+": backupCount 0 keeps every rotated file", "backupCount > 0")
		}
	}
	return nil
}

// covered says whether a live log file is covered, and by what (or why
// not).
func covered(path string, rules []logrotateRule, handlers []pyHandler) (bool, string) {
	for _, rule := range rules {
		for _, pat := range rule.Patterns {
			if ok, _ := filepath.Match(pat, path); ok {
				return true, fmt.Sprintf("logrotate %s:%d, %s", rule.File, rule.Line, rule.Rotation)
			}
		}
	}
	why := "no logrotate block or rotating handler names it"
	for _, h := range handlers {
		if !handlerWrites(h, path) {
			continue
		}
		if ok, reason := h.rotates(); !ok {
			why = fmt.Sprintf("handler %s (%s): %s", h.Name, h.Class, reason)
			continue
		}
		return true, "handler " + h.Name + ", " + h.String()
	}
	return false, why
}

// handlerWrites says whether a handler's filename is the file: the same
// path, or for a relative filename (relative to the application's working
// folder, which the exporter does not know) a path ending with it.
func handlerWrites(h pyHandler, path string) bool {
	if h.Filename == "" {
		return false
	}
	fn := filepath.Clean(h.Filename)
	if filepath.IsAbs(fn) {
		return fn == path
	}
	return path == fn || strings.HasSuffix(path, string(filepath.Separator)+fn)
}

// loadLogrotate reads the logrotate configurations and every file their
// include directives name (an included folder's files, skipping editor and
// package-manager leftovers), in logrotate's order. Each block inherits the
// global settings in force where it, or the include that reached it,
// stands.
func (l *logRotationCheck) loadLogrotate(ctx context.Context, paths []string) ([]logrotateRule, error) {
	top, err := files.Expand(ctx, paths, "")
	if err != nil {
		return nil, fmt.Errorf("finding the logrotate configuration: %w", err)
	}
	if len(top) == 0 {
		return nil, collector.Failf(collector.ReasonNotFound, "no logrotate configuration matches %s", strings.Join(paths, ", "))
	}
	var rules []logrotateRule
	seen := map[string]bool{}
	var visit func(path string, inherited rotation, depth int) error
	visit = func(path string, inherited rotation, depth int) error {
		if seen[path] {
			return nil // logrotate refuses to read a file twice too
		}
		seen[path] = true
		if len(seen) > maxLogrotateFiles {
			return collector.Failf(collector.ReasonInvalidResponse, "include directives reach more than %d files", maxLogrotateFiles)
		}
		res := l.logrotate.Read(ctx, path, maxConfigFileSize, func(r io.Reader) (*logrotateFile, error) {
			return parseLogrotate(r, path)
		})
		if res.Err != nil {
			return configErr(res.Err)
		}
		// Blocks and includes in the file's order, as logrotate reads them.
		ri := 0
		addRulesBefore := func(line int) {
			for ; ri < len(res.Value.Rules) && res.Value.Rules[ri].Line < line; ri++ {
				rule := res.Value.Rules[ri]
				rule.Rotation = rule.Rotation.inherit(inherited)
				rules = append(rules, rule)
			}
		}
		defer addRulesBefore(math.MaxInt)
		for _, inc := range res.Value.Includes {
			addRulesBefore(inc.Line)
			target := inc.Path
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(path), target)
			}
			if depth >= 10 {
				return collector.Failf(collector.ReasonInvalidResponse, "%s:%d: includes nested deeper than 10 levels", path, inc.Line)
			}
			included, err := includedFiles(target)
			if err != nil {
				return collector.WithReason(reasonOfFileErr(err), fmt.Errorf("%s:%d: include %s: %w", path, inc.Line, inc.Path, err))
			}
			for _, f := range included {
				if err := visit(f, inc.Globals.inherit(inherited), depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, p := range top {
		if err := visit(p, defaultRotation, 0); err != nil {
			return rules, err
		}
	}
	return rules, nil
}

// includedFiles lists what an include names: the file, or a folder's
// regular files in name order without logrotate's default taboo
// extensions.
func includedFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if tabooName(e.Name()) {
			continue
		}
		full := filepath.Join(path, e.Name())
		if fi, err := os.Stat(full); err == nil && fi.Mode().IsRegular() {
			out = append(out, full)
		}
	}
	sort.Strings(out)
	return out, nil
}

// tabooName reports names logrotate skips in an included folder (its
// default tabooext list).
func tabooName(name string) bool {
	for _, ext := range []string{",v", ".cfsaved", ".disabled", ".dpkg-bak", ".dpkg-del", ".dpkg-dist", ".dpkg-new", ".dpkg-old",
		".dpkg-tmp", ".rhn-cfg-tmp-*", ".rpmnew", ".rpmorig", ".rpmsave", ".swp", ".ucf-dist", ".ucf-new", ".ucf-old", "~"} {
		if strings.HasSuffix(ext, "*") {
			if strings.Contains(name, strings.TrimSuffix(ext, "*")) {
				return true
			}
		} else if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return strings.HasPrefix(name, ".")
}

// loadPython reads the Python logging configurations' file handlers.
func (l *logRotationCheck) loadPython(ctx context.Context, paths []string) ([]pyHandler, error) {
	found, err := files.Expand(ctx, paths, "")
	if err != nil {
		return nil, fmt.Errorf("finding the Python logging configuration: %w", err)
	}
	if len(found) == 0 {
		return nil, collector.Failf(collector.ReasonNotFound, "no Python logging configuration matches %s", strings.Join(paths, ", "))
	}
	var out []pyHandler
	for _, p := range found {
		res := l.pyHandlers.Read(ctx, p, maxConfigFileSize, func(r io.Reader) ([]pyHandler, error) {
			data, err := io.ReadAll(r)
			if err != nil {
				return nil, err
			}
			return parsePythonLogging(data, p)
		})
		if res.Err != nil {
			return out, configErr(res.Err)
		}
		out = append(out, res.Value...)
	}
	return out, nil
}

// configErr gives a configuration file's error its reason: a file that is
// missing or unreadable, else one that could not be parsed.
func configErr(err error) error {
	return collector.WithReason(reasonOfFileErr(err), err)
}

func reasonOfFileErr(err error) collector.Reason {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return collector.ReasonNotFound
	case errors.Is(err, fs.ErrPermission):
		return collector.ReasonPermission
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return collector.ReasonTimeout
	}
	return collector.ReasonInvalidResponse
}

// rotatedRE matches what rotation appends to a log file's name: logrotate's
// .1 and -YYYYMMDD[HH] (dateext), Python's .1 (RotatingFileHandler) and
// .YYYY-MM-DD[_HH[-MM[-SS]]] (TimedRotatingFileHandler), and dated forms
// such as -YYYY-MM-DD; compression extensions are taken off first.
var rotatedRE = regexp.MustCompile(`(\.\d+|[-._]\d{8}(\d{2}){0,3}|[-._]\d{4}-\d{2}-\d{2}([_T-]\d{2}([-:]\d{2}([-:]\d{2})?)?)?)$`)

var compressedExts = []string{".gz", ".bz2", ".xz", ".zst", ".lz4", ".lzma", ".Z", ".zip"}

// isRotatedName says whether a file name is that of a rotated copy rather
// than a live log file.
func isRotatedName(name string) bool {
	for _, ext := range compressedExts {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return rotatedRE.MatchString(name)
}
