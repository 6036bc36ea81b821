package rules

import (
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRenderedLinks: where the rules are generated, the runbook base and
// the board are the user's, on every alert of every file and in the
// PrometheusRule (issue 15: runbook_url was hard-coded to one repository).
func TestRenderedLinks(t *testing.T) {
	l := Links{RunbookBase: "https://wiki.example.org/sre/golive", BoardURL: "https://golive.example.org:10720/"}
	files, err := Rendered(l)
	require.NoError(t, err)
	require.Len(t, files, len(FileNames()))
	dir := t.TempDir()
	alerts := 0
	for name, b := range files {
		rgs, errs := rulefmt.Parse(b, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
		require.Empty(t, errs, name)
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				alerts++
				assert.Equal(t, "https://wiki.example.org/sre/golive/"+r.Alert+".md", r.Annotations["runbook_url"], name)
				assert.Equal(t, l.BoardURL, r.Annotations["board_url"], name)
			}
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	assert.Greater(t, alerts, 30)
	if promtool, err := exec.LookPath("promtool"); err == nil {
		names, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
		out, err := exec.Command(promtool, append([]string{"check", "rules"}, names...)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}

	pr, err := PrometheusRule(l)
	require.NoError(t, err)
	assert.Equal(t, alerts, strings.Count(string(pr), "board_url: "+l.BoardURL))
	assert.Equal(t, alerts, strings.Count(string(pr), "runbook_url: https://wiki.example.org/sre/golive/"))

	// The default links leave the files as committed (and tested).
	same, err := Rendered(Links{})
	require.NoError(t, err)
	for name, b := range same {
		orig, err := Files.ReadFile(name)
		require.NoError(t, err)
		assert.Equal(t, string(orig), string(b), name)
	}

	for _, bad := range []Links{{RunbookBase: "wiki/golive"}, {BoardURL: "ftp://x/"}, {BoardURL: "https://x/\nfoo: bar"}} {
		_, err := Rendered(bad)
		assert.Error(t, err, "%+v", bad)
	}
}

func TestReleaseRunbookBase(t *testing.T) {
	assert.Equal(t, "https://github.com/golive/golive_exporter/blob/v0.4.1/rules/runbooks/", ReleaseRunbookBase("0.4.1"))
	assert.Equal(t, "https://github.com/golive/golive_exporter/blob/v0.4.1/rules/runbooks/", ReleaseRunbookBase("v0.4.1"))
	for _, dev := range []string{"", "1cc4c78", "v0.4.1-3-g1cc4c78", "v0.4.1-dirty", "(devel)"} {
		assert.Equal(t, DefaultRunbookBase, ReleaseRunbookBase(dev), dev)
	}
}
