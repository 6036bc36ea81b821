package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logFolder writes the log folder of the seed application: two live logs
// and rotated copies of them, the oldest written 20 days ago.
func logFolder(t *testing.T) (dir string, oldest time.Time) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "srv", "sms", "logs")
	now := time.Now()
	files := []struct {
		name string
		size int
		age  time.Duration
	}{
		{"app.log", 1000, time.Minute},
		{"app.log.1", 5000, 24 * time.Hour},
		{"app.log.2.gz", 700, 48 * time.Hour},
		{"worker.log", 2 << 20, time.Minute},
		{"worker.log.2026-11-14", 300, 20 * 24 * time.Hour},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		writeFile(t, p, strings.Repeat("x", f.size))
		mt := now.Add(-f.age)
		require.NoError(t, os.Chtimes(p, mt, mt))
		if f.name == "worker.log.2026-11-14" {
			oldest = mt
		}
	}
	return dir, oldest
}

func TestLogRotationBounds(t *testing.T) {
	dir, oldest := logFolder(t)
	cases := []struct {
		name     string
		settings string
		status   collector.Status
		failed   map[string]string
	}{
		{"within bounds", "max_file_size: 10MiB\nmax_age: 30d\nmax_total_size: 1GiB", collector.StatusPass, nil},
		{"a log that is not rotated grows", "max_file_size: 1MiB", collector.StatusFail,
			map[string]string{"largest log file": filepath.Join(dir, "worker.log") + " is 2MiB"}},
		{"old files are not removed", "max_age: 14d", collector.StatusFail,
			map[string]string{"oldest log file": filepath.Join(dir, "worker.log.2026-11-14") + " last written 20d ago"}},
		{"the folder is too large", "max_total_size: 2MiB", collector.StatusFail,
			map[string]string{"log files total size": "2.0MiB in 5 files"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runOne(t, "log_rotation", "files: ["+dir+"/*.log*]\n"+c.settings)
			assert.Equal(t, c.status, res.Status, res.Message)
			got := failedConditions(res)
			assert.Len(t, got, len(c.failed))
			for name, want := range c.failed {
				assert.Equal(t, want, got[name], name)
			}
			assert.Equal(t, 5.0, mustSample(t, res, logFilesDesc))
			assert.Equal(t, 2.0, mustSample(t, res, logLiveFilesDesc), "app.log and worker.log")
			assert.Equal(t, float64(2<<20), mustSample(t, res, logLargestDesc))
			assert.Equal(t, float64(1000+5000+700+(2<<20)+300), mustSample(t, res, logTotalDesc))
			assert.InDelta(t, float64(oldest.UnixMilli())/1000, mustSample(t, res, logOldestDesc), 0.001)
			_, hasUncovered := sample(res, logUncoveredDesc)
			assert.False(t, hasUncovered, "no coverage without a rotation configuration")
		})
	}
}

func TestLogRotationNoFiles(t *testing.T) {
	dir := t.TempDir()
	res := runOne(t, "log_rotation", "files: ["+dir+"/*.log]\nmax_age: 1d")
	assert.Equal(t, collector.StatusFail, res.Status)
	assert.Equal(t, collector.ReasonNotFound, res.Reason)
	assert.Contains(t, res.Message, "no log file matches "+dir+"/*.log")

	res = runOne(t, "log_rotation", "files: ["+dir+"/missing.log]\nmax_age: 1d")
	assert.Equal(t, collector.ReasonNotFound, res.Reason, res.Message)

	logs, _ := logFolder(t)
	res = runOne(t, "log_rotation", "files: ["+logs+"]\nmax_age: 30d\nmax_files: 3")
	assert.Equal(t, collector.ReasonInvalidResponse, res.Reason)
	assert.Contains(t, res.Message, "5 files match "+logs+", more than max_files (3)")
}

func TestLogRotationCoverage(t *testing.T) {
	logs, _ := logFolder(t)
	conf := t.TempDir()
	writeFile(t, filepath.Join(conf, "logrotate.conf"), "weekly\nrotate 4\ninclude "+conf+"/logrotate.d\n")
	writeFile(t, filepath.Join(conf, "logrotate.d", "sms"), logs+"/app.log {\n  daily\n  rotate 14\n  compress\n  missingok\n}\n")
	writeFile(t, filepath.Join(conf, "logrotate.d", "sms-all"), logs+"/*.log {\n  size 50M\n}\n")
	writeFile(t, filepath.Join(conf, "logging.yaml"), `version: 1
handlers:
  worker: {class: logging.handlers.RotatingFileHandler, filename: logs/worker.log, maxBytes: 10485760, backupCount: 5}
`)
	writeFile(t, filepath.Join(conf, "never.yaml"), `version: 1
handlers:
  worker: {class: logging.handlers.RotatingFileHandler, filename: logs/worker.log, backupCount: 5}
`)
	writeFile(t, filepath.Join(conf, "timed.ini"), `[handler_worker]
class=handlers.TimedRotatingFileHandler
args=('`+logs+`/worker.log', 'midnight')
`)
	writeFile(t, filepath.Join(conf, "broken.conf"), logs+"/app.log {\n  daily\n")
	files := "files: [" + logs + "]\n"
	cases := []struct {
		name      string
		settings  string
		status    collector.Status
		reason    collector.Reason
		uncovered float64
		observed  string
		warning   string
	}{
		{
			name:     "logrotate covers both, the first block that names a file wins",
			settings: files + "logrotate: [" + conf + "/logrotate.conf]",
			status:   collector.StatusPass, reason: collector.ReasonNone,
			observed: "2 live log files covered: app.log: logrotate " + conf + "/logrotate.d/sms:1, daily, keeps 14; worker.log: logrotate " + conf + "/logrotate.d/sms-all:1, at 50MiB, keeps 4",
		},
		{
			name:     "logrotate for the app, the worker's own handler",
			settings: files + "logrotate: [" + conf + "/logrotate.d/sms]\npython_logging: [" + conf + "/logging.yaml]",
			status:   collector.StatusPass, reason: collector.ReasonNone,
			observed: "2 live log files covered: app.log: logrotate " + conf + "/logrotate.d/sms:1, daily, keeps 14; worker.log: handler worker, logging.handlers.RotatingFileHandler at 10MiB, keeps 5",
		},
		{
			name:     "the worker's log is not rotated",
			settings: files + "logrotate: [" + conf + "/logrotate.d/sms]",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed, uncovered: 1,
			observed: "1 of 2 live log files not covered: " + logs + "/worker.log (no logrotate block or rotating handler names it)",
		},
		{
			name:     "a RotatingFileHandler without maxBytes never rotates",
			settings: files + "logrotate: [" + conf + "/logrotate.d/sms]\npython_logging: [" + conf + "/never.yaml]",
			status:   collector.StatusFail, reason: collector.ReasonConditionFailed, uncovered: 1,
			observed: "1 of 2 live log files not covered: " + logs + "/worker.log (handler worker (logging.handlers.RotatingFileHandler): maxBytes is 0: it never rotates)",
		},
		{
			name:     "a timed handler that keeps every file warns",
			settings: files + "logrotate: [" + conf + "/logrotate.d/sms]\npython_logging: [" + conf + "/timed.ini]",
			status:   collector.StatusWarn, reason: collector.ReasonNone,
			observed: "2 live log files covered: app.log: logrotate " + conf + "/logrotate.d/sms:1, daily, keeps 14; worker.log: handler worker, handlers.TimedRotatingFileHandler every 1 midnight, keeps every old file",
			warning:  "handler worker removes old files",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runOne(t, "log_rotation", c.settings)
			assert.Equal(t, c.status, res.Status, res.Message)
			assert.Equal(t, c.reason, res.Reason, res.Message)
			assert.Equal(t, c.uncovered, mustSample(t, res, logUncoveredDesc))
			var cond collector.Condition
			for _, cc := range res.Conditions {
				if cc.Name == "log rotation configured" {
					cond = cc
				}
				if cc.Warning {
					assert.Equal(t, c.warning, cc.Name)
				}
			}
			assert.Equal(t, c.observed, cond.Observed)
		})
	}

	t.Run("rules read", func(t *testing.T) {
		res := runOne(t, "log_rotation", files+"logrotate: ["+conf+"/logrotate.conf]\npython_logging: ["+conf+"/logging.yaml]")
		assert.Equal(t, 2.0, mustSample(t, res, logRulesDesc, "logrotate"))
		assert.Equal(t, 1.0, mustSample(t, res, logRulesDesc, "python_logging"))
	})
	t.Run("a configuration that cannot be read", func(t *testing.T) {
		res := runOne(t, "log_rotation", files+"logrotate: ["+conf+"/broken.conf]")
		assert.Equal(t, collector.ReasonInvalidResponse, res.Reason)
		assert.Contains(t, res.Message, conf+"/broken.conf:2: the block of line 1 is not closed with }")
		res = runOne(t, "log_rotation", files+"logrotate: ["+conf+"/missing.conf]")
		assert.Equal(t, collector.ReasonNotFound, res.Reason, res.Message)
		writeFile(t, filepath.Join(conf, "inc.conf"), "include "+conf+"/nowhere\n")
		res = runOne(t, "log_rotation", files+"logrotate: ["+conf+"/inc.conf]")
		assert.Equal(t, collector.ReasonNotFound, res.Reason, res.Message)
		assert.Contains(t, res.Message, conf+"/inc.conf:1: include "+conf+"/nowhere")
	})
}

// Names of rotated copies, as logrotate and Python's handlers write them,
// and names of live logs.
func TestRotatedNames(t *testing.T) {
	for _, n := range []string{"app.log.1", "app.log.12", "app.log.1.gz", "app.log-20261201", "app.log-2026120108", "app.log-20261201.gz",
		"app.log.2026-12-01", "app.log.2026-12-01_08", "app.log.2026-12-01_08-30", "app.log.2026-12-01_08-30-00", "app.log-2026-12-01",
		"app.log.zst", "access.log.xz", "app_20261201.log.bz2"} {
		assert.True(t, isRotatedName(n), n)
	}
	for _, n := range []string{"app.log", "worker.log", "access_log", "error.log", "sms-api.log", "app.2026.log", "postgresql-15-main.log"} {
		assert.False(t, isRotatedName(n), n)
	}
}
