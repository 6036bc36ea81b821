package host

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Python logging configurations in the forms applications ship them.
var pyLoggingConfigs = map[string]string{
	"logging.yaml": `version: 1
disable_existing_loggers: false
formatters:
  json: {format: "%(asctime)s %(levelname)s %(message)s"}
handlers:
  console: {class: logging.StreamHandler, stream: "ext://sys.stdout"}
  app_file:
    class: logging.handlers.RotatingFileHandler
    filename: logs/app.log
    maxBytes: 10485760
    backupCount: 5
    formatter: json
  audit_file:
    class: logging.handlers.TimedRotatingFileHandler
    filename: logs/audit.log
    when: midnight
    backupCount: 30
  worker_file:
    class: logging.handlers.RotatingFileHandler
    filename: logs/worker.log
    backupCount: 3
  access_file:
    class: logging.handlers.WatchedFileHandler
    filename: logs/access.log
root: {level: INFO, handlers: [console, app_file, audit_file, worker_file, access_file]}
`,
	"logging.json": `{"version": 1,
 "handlers": {
  "file": {"class": "logging.handlers.TimedRotatingFileHandler", "filename": "logs/api.log", "when": "H", "interval": 6, "backupCount": 8},
  "errors": {"class": "logging.FileHandler", "filename": "logs/errors.log"}
 },
 "root": {"handlers": ["file", "errors"]}}
`,
	"config.yaml": `app: {name: sms}
logging:
  version: 1
  handlers:
    file:
      (): logging.handlers.RotatingFileHandler
      filename: logs/nested.log
      maxBytes: 1048576
      backupCount: 2
  root: {handlers: [file]}
`,
	"logging.ini": `[loggers]
keys=root

[handlers]
keys=console,file,timed,plain

[formatters]
keys=simple

[logger_root]
level=INFO
handlers=console,file,timed,plain

[handler_console]
class=StreamHandler
args=(sys.stdout,)

[handler_file]
class = handlers.RotatingFileHandler
level = INFO
formatter = simple
args = ('logs/ini.log', 'a', 10*1024*1024, 5)

[handler_timed]
class=logging.handlers.TimedRotatingFileHandler
args=("logs/ini-timed.log",)
kwargs={'when': 'D', 'interval': 1, "backupCount": 7}

[handler_plain]
class=FileHandler
args=('logs/plain.log',
      'a')

[formatter_simple]
format=%(asctime)s %(message)s
`,
}

// pythonHandlers configures logging with Python itself (dictConfig or
// fileConfig, in dir) and reports each file handler's settings as Python
// holds them.
func pythonHandlers(t *testing.T, dir, file string) map[string]map[string]any {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		testutil.MissingTool(t, "python3 is not installed")
	}
	script := `
import json, logging, logging.config, logging.handlers, sys, yaml
path = sys.argv[1]
if path.endswith(".ini"):
    logging.config.fileConfig(path)
else:
    with open(path) as f:
        cfg = yaml.safe_load(f)
    if "handlers" not in cfg:
        cfg = next(v for v in cfg.values() if isinstance(v, dict) and "handlers" in v)
    logging.config.dictConfig(cfg)
out = {}
for name, h in logging._handlers.items():
    if not isinstance(h, logging.FileHandler):
        continue
    d = {"class": type(h).__name__, "file": h.baseFilename}
    if isinstance(h, logging.handlers.RotatingFileHandler):
        d.update(maxBytes=h.maxBytes, backupCount=h.backupCount)
    if isinstance(h, logging.handlers.TimedRotatingFileHandler):
        d.update(when=h.when, seconds=h.interval, backupCount=h.backupCount)
    out[name] = d
print(json.dumps(out))
`
	cmd := exec.Command(py, "-c", script, filepath.Join(dir, file))
	cmd.Dir = dir
	out, err := cmd.Output()
	require.NoError(t, err)
	var hs map[string]map[string]any
	require.NoError(t, json.Unmarshal(out, &hs))
	return hs
}

var whenSeconds = map[string]float64{"S": 1, "M": 60, "H": 3600, "D": 86400, "MIDNIGHT": 86400}

// The parser finds the file handlers Python's own logging.config builds
// from each configuration, with the same file, class and rotation.
func TestPythonLoggingAgainstPython(t *testing.T) {
	for file, body := range pyLoggingConfigs {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, file), body)
			writeFile(t, filepath.Join(dir, "logs", ".keep"), "")
			want := pythonHandlers(t, dir, file)
			require.NotEmpty(t, want)

			hs, err := parsePythonLogging([]byte(body), file)
			require.NoError(t, err)
			got := map[string]map[string]any{}
			for _, h := range hs {
				class := h.Class[strings.LastIndexByte(h.Class, '.')+1:]
				d := map[string]any{"class": class, "file": filepath.Join(dir, h.Filename)}
				switch h.Kind {
				case handlerSize:
					d["maxBytes"], d["backupCount"] = float64(h.MaxBytes), float64(h.BackupCount)
				case handlerTime:
					when := strings.ToUpper(h.When)
					d["when"], d["seconds"], d["backupCount"] = when, whenSeconds[when]*float64(h.Interval), float64(h.BackupCount)
				}
				got[h.Name] = d
			}
			assert.Equal(t, want, got)
		})
	}
}

func TestPythonHandlerRotates(t *testing.T) {
	hs, err := parsePythonLogging([]byte(pyLoggingConfigs["logging.yaml"]), "logging.yaml")
	require.NoError(t, err)
	byName := map[string]pyHandler{}
	for _, h := range hs {
		byName[h.Name] = h
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	assert.Equal(t, []string{"access_file", "app_file", "audit_file", "worker_file"}, names, "only handlers that write a file")
	cases := map[string]struct {
		rotates bool
		why     string
		desc    string
	}{
		"app_file":    {true, "", "logging.handlers.RotatingFileHandler at 10MiB, keeps 5"},
		"audit_file":  {true, "", "logging.handlers.TimedRotatingFileHandler every 1 midnight, keeps 30"},
		"worker_file": {false, "maxBytes is 0: it never rotates", "logging.handlers.RotatingFileHandler at 0 bytes, keeps 3"},
		"access_file": {false, "it does not rotate", "logging.handlers.WatchedFileHandler"},
	}
	for name, c := range cases {
		ok, why := byName[name].rotates()
		assert.Equal(t, c.rotates, ok, name)
		assert.Equal(t, c.why, why, name)
		assert.Equal(t, c.desc, byName[name].String(), name)
	}
}

func TestParsePythonLoggingRefused(t *testing.T) {
	cases := map[string]string{
		"version: 1\nformatters: {}\n": "no handlers: mapping at the top or one level down",
		"- a\n- b\n":                   "not a mapping",
		"handlers: {f: {class: logging.handlers.RotatingFileHandler, maxBytes: lots}}\n":                                             `handler f: maxBytes: "lots" is not a whole number`,
		"{\"handlers\": {\"f\": {\"class\": \"logging.handlers.RotatingFileHandler\", \"maxBytes\": 1000, \"backupCount\": \"8\"}}}": `handler f: backupCount: "8" is a string; Python keeps it one and fails comparing it with 0`,
		"handlers: {f: [\n": "not YAML or JSON",
		"[handler_f]\nclass=FileHandler\nargs=('a.log'\n":    "handler f: args: missing \",\" at the end",
		"[handler_f]\nclass=FileHandler\nargs='a.log'\n":     "handler f: args is not a tuple",
		"[handler_f]\nclass=FileHandler\nkwargs=['a.log']\n": "handler f: kwargs is not a dict",
		"[handlers]\nkeys\n":                                 `line 2: "keys" is not key = value`,
		"[handler_f]\nclass=FileHandler\nargs=('a.log\n":     "unclosed string",
	}
	for in, want := range cases {
		_, err := parsePythonLogging([]byte(in), "t")
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
}

func TestParsePyLiteral(t *testing.T) {
	cases := map[string]pyValue{
		`('logs/app.log', 'a', 10*1024*1024, 5)`: []pyValue{"logs/app.log", "a", int64(10 << 20), int64(5)},
		`(sys.stdout,)`:                          []pyValue{pyUnknown{}},
		`(os.path.join(BASE, "x.log"), 'a')`:     []pyValue{pyUnknown{}, "a"},
		`{'when': 'D', "backupCount": 7}`:        map[string]pyValue{"when": "D", "backupCount": int64(7)},
		`('a' "b", r'c\d', -1, 2.5, None, True)`: []pyValue{"ab", `c\d`, int64(-1), 2.5, nil, true},
		`(1_000_000, 0x10, 2**20)`:               []pyValue{int64(1000000), int64(16), int64(1 << 20)},
		`[1, [2, (3,)]]`:                         []pyValue{int64(1), []pyValue{int64(2), []pyValue{int64(3)}}},
		`("""x""", 'it\'s')`:                     []pyValue{"x", "it's"},
		`()`:                                     []pyValue{},
		`(5)`:                                    int64(5),
		`(f(a=1), 2)`:                            []pyValue{pyUnknown{}, int64(2)},
	}
	for in, want := range cases {
		got, err := parsePyLiteral(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{`(`, `('a',`, `'a`, `(1 2)`, `{1}`, `@`, strings.Repeat("(", 100) + strings.Repeat(")", 100), `(1,) x`} {
		_, err := parsePyLiteral(bad)
		assert.Error(t, err, bad)
	}
}
