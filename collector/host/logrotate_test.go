package host

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/internal/files"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parseLogrotateFile(t *testing.T, path string) *logrotateFile {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	lf, err := parseLogrotate(f, path)
	require.NoError(t, err)
	return lf
}

// The configurations Debian 12's packages install (testdata/logrotate,
// see testdata/PROVENANCE.md), each block as logrotate reads it over its
// defaults (a 1 MiB size criterion, no old file kept).
func TestParseLogrotateDebian(t *testing.T) {
	cases := map[string][]struct {
		patterns string
		rotation string
	}{
		"mariadb":           {{"/var/lib/mysql/mysqld.log /var/lib/mysql/mariadb.log /var/log/mysql/*.log", "monthly (or at 500MiB), keeps 6"}},
		"postgresql-common": {{"/var/log/postgresql/*.log", "weekly, keeps 10"}},
		"redis-server":      {{"/var/log/redis/redis-server*.log", "weekly, keeps 12"}},
		"apt":               {{"/var/log/apt/term.log", "monthly, keeps 12"}, {"/var/log/apt/history.log", "monthly, keeps 12"}},
		"btmp":              {{"/var/log/btmp", "monthly, keeps 1"}},
		"rabbitmq-server":   {{"/var/log/rabbitmq/*.log", "daily, keeps no old file"}},
		"prometheus":        {{"/var/log/prometheus/prometheus.log", "weekly, keeps 10"}},
		"logrotate.conf":    nil,
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			lf := parseLogrotateFile(t, filepath.Join("testdata", "logrotate", name))
			require.Len(t, lf.Rules, len(want))
			for i, w := range want {
				assert.Equal(t, w.patterns, strings.Join(lf.Rules[i].Patterns, " "))
				assert.Equal(t, w.rotation, lf.Rules[i].Rotation.String())
			}
		})
	}
	lf := parseLogrotateFile(t, filepath.Join("testdata", "logrotate", "logrotate.conf"))
	require.Len(t, lf.Includes, 1)
	assert.Equal(t, "/etc/logrotate.d", lf.Includes[0].Path)
	assert.Equal(t, "weekly, keeps 4", lf.Includes[0].Globals.inherit(defaultRotation).String(), "the globals before the include")
	mariadb := parseLogrotateFile(t, filepath.Join("testdata", "logrotate", "mariadb"))
	assert.Equal(t, int64(50<<20), mariadb.Rules[0].Rotation.MinSize)
}

func TestParseLogrotateRefused(t *testing.T) {
	cases := map[string]string{
		"/var/log/x.log {\n daily\n":                        "t.conf:2: the block of line 1 is not closed with } (truncated file?)",
		"/var/log/x.log {\n postrotate\n  kill -HUP 1\n":    "t.conf:3: a script without endscript",
		"/var/log/x.log\n":                                  `t.conf:1: file names "/var/log/x.log" are not followed by a { block`,
		"/var/log/x.log {\n /var/log/y.log {\n}\n":          "t.conf:2: a { inside a block (the block of line 1 is not closed)",
		"/var/log/x.log {\n include /etc/x\n}\n":            "t.conf:2: include inside a block",
		"/var/log/x.log {\n rotate many\n}\n":               "t.conf:2: rotate many: not a count",
		"/var/log/x.log {\n size 10T\n}\n":                  "t.conf:2: size 10T: not a size",
		"\"/var/log/x.log {\n}\n":                           "t.conf:1: unclosed \" in file names",
		"include\n":                                         "t.conf:1: include without a path",
		"{\n}\n":                                            "t.conf:1: a { without file names before it",
		strings.Repeat("x", maxLogrotateLine+1):             "a line longer than",
		"/var/log/x.log {\n daily\n} /var/log/y.log {\n}\n": `t.conf:3: unexpected text "/var/log/y.log {" after }`,
	}
	for in, want := range cases {
		_, err := parseLogrotate(strings.NewReader(in), "t.conf")
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, shorten(in, 60))
	}
}

// logrotateDebug runs the real logrotate in debug mode (nothing is
// rotated) and returns what it reports for each block, in its order: the
// criterion, the rotations kept, maxsize/minsize, and the files it
// considers.
type debugBlock struct {
	criterion string
	rotate    string
	maxSize   string
	minSize   string
	files     []string
}

var (
	debugPatternRE = regexp.MustCompile(`(?s)^rotating pattern: .*?\s+(hourly|after 1 days|weekly|monthly|yearly|(\d+) bytes) ?(?:\((\d+) rotations\)|\(no old logs will be kept\))?`)
	debugMaxRE     = regexp.MustCompile(`log files >= (\d+) are rotated earlier`)
	debugMinRE     = regexp.MustCompile(`only log files >= (\d+) bytes are rotated`)
)

func logrotateDebug(t *testing.T, conf string) []debugBlock {
	t.Helper()
	bin, err := exec.LookPath("logrotate")
	if err != nil {
		bin = "/usr/sbin/logrotate"
		if _, err := os.Stat(bin); err != nil {
			testutil.MissingTool(t, "logrotate is not installed")
		}
	}
	out, err := exec.Command(bin, "-d", "-s", filepath.Join(t.TempDir(), "state"), conf).CombinedOutput()
	require.NoError(t, err, "%s", out)
	var blocks []debugBlock
	for _, part := range strings.Split(string(out), "\nrotating pattern: ")[1:] {
		part = "rotating pattern: " + part
		m := debugPatternRE.FindStringSubmatch(part)
		require.NotNil(t, m, part)
		b := debugBlock{criterion: m[1], rotate: m[3]}
		if m[2] != "" {
			b.criterion = m[2]
		}
		if m[1] == "after 1 days" {
			b.criterion = "daily"
		}
		if mm := debugMaxRE.FindStringSubmatch(part); mm != nil {
			b.maxSize = mm[1]
		}
		if mm := debugMinRE.FindStringSubmatch(part); mm != nil {
			b.minSize = mm[1]
		}
		for _, l := range strings.Split(part, "\n") {
			if f, ok := strings.CutPrefix(l, "considering log "); ok {
				b.files = append(b.files, f)
			}
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// The parser reads a configuration as logrotate 3.21 itself does: the
// same blocks in the same order (includes read where they stand), the
// same criterion and rotations (globals before a block or before the
// include that reached it, key=value forms, size overriding a frequency),
// and each block covers the files logrotate considers.
func TestLogrotateAgainstLogrotate(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	for _, f := range []string{"app.log", "with space.log", "worker1.log", "worker2.log", "inc.log", "other.log", "eq.log", "bare.log", "app.log.1"} {
		writeFile(t, filepath.Join(logs, f), "x\n")
	}
	writeFile(t, filepath.Join(dir, "d", "sms"), "# included\n"+logs+"/inc.log {\n  hourly\n}\n")
	writeFile(t, filepath.Join(dir, "d", "sms.dpkg-old"), logs+"/never.log {\n}\n")
	writeFile(t, filepath.Join(dir, "main.conf"), `# globals
weekly
rotate 4
include `+dir+`/d
size = 5k
`+logs+`/app.log "`+logs+`/with space.log"
`+logs+`/worker*.log
{
  daily
  rotate 7
  size 100M
  postrotate
    echo } {
    /bin/kill -HUP $(cat /run/app.pid) || true
  endscript
}
`+logs+`/other.log { monthly
 maxsize 10k
  minsize 1M
}
`+logs+`/eq.log {
 prerotate echo "the rest of this line is ignored"
 endscript
 rotate=3
 maxsize = 2M
}
`+logs+`/bare.log {
 rotate -1
 hourly
}
`)
	want := logrotateDebug(t, filepath.Join(dir, "main.conf"))
	require.Len(t, want, 5)

	l := &logRotationCheck{logrotate: files.NewCache[*logrotateFile]()}
	rules, err := l.loadLogrotate(context.Background(), []string{filepath.Join(dir, "main.conf")})
	require.NoError(t, err)
	require.Len(t, rules, len(want))
	var live []string
	entries, err := os.ReadDir(logs)
	require.NoError(t, err)
	for _, e := range entries {
		live = append(live, filepath.Join(logs, e.Name()))
	}
	for i, w := range want {
		r := rules[i].Rotation
		got := debugBlock{criterion: r.Frequency, rotate: strconv.Itoa(r.Rotate)}
		if r.Frequency == "" {
			got.criterion = strconv.FormatInt(r.Size, 10)
		}
		if r.Rotate <= 0 {
			got.rotate = ""
		}
		if r.MaxSize > 0 {
			got.maxSize = strconv.FormatInt(r.MaxSize, 10)
		}
		if r.MinSize > 0 {
			got.minSize = strconv.FormatInt(r.MinSize, 10)
		}
		for _, f := range live {
			for _, p := range rules[i].Patterns {
				if ok, _ := filepath.Match(p, f); ok {
					got.files = append(got.files, f)
					break
				}
			}
		}
		assert.Equal(t, w, got, "block %d (%s)", i, strings.Join(rules[i].Patterns, " "))
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
}
