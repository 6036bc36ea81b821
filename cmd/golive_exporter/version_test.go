package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// --version prints to stdout, as Prometheus' own tools do, and nothing to
// stderr.
func TestVersionPrintsToStdout(t *testing.T) {
	code, out, errOut := runArgs("--version")
	assert.Equal(t, exitOK, code)
	assert.True(t, strings.HasPrefix(out, "golive_exporter, version "), "stdout: %q", out)
	assert.Contains(t, out, "go version:")
	assert.Empty(t, errOut)
}

// A binary built without the Makefile's ldflags (go run, go install, a
// plain go build) takes its version from what the Go toolchain stamped
// into it; what the ldflags set is never overwritten.
func TestVersionFromBuildInfo(t *testing.T) {
	vcs := func(rev, at, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: at}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	cases := []struct {
		name                    string
		ldflags                 [4]string // version, revision, branch, build date set at link time
		main                    string
		settings                []debug.BuildSetting
		wantVersion, wantRev    string
		wantBranch, wantBuiltAt string
	}{
		{"go install @v0.1.0", [4]string{}, "v0.1.0", nil, "0.1.0", "", "", ""},
		{"go install @pseudo-version", [4]string{}, "v0.1.1-0.20261204164009-0123456789ab", nil, "0.1.1-0.20261204164009-0123456789ab", "0123456789ab", "", ""},
		{"go build on a tag", [4]string{}, "v0.1.0", vcs(rev, "2026-12-04T16:40:09Z", "false"), "0.1.0", rev, "", "20261204-16:40:09"},
		{"go run with changes", [4]string{}, "v0.1.0+dirty", vcs(rev, "2026-12-04T16:40:09Z", "true"), "0.1.0+dirty", rev + "-modified", "", "20261204-16:40:09"},
		{"go run (nothing stamped)", [4]string{}, "(devel)", nil, sourceVersion, "", "", ""},
		{"make build", [4]string{"0.1.0-3-gabcdef0", "abcdef0", "main", "20261201-10:00:00"}, "(devel)", vcs(rev, "2026-12-04T16:40:09Z", "false"), "0.1.0-3-gabcdef0", "abcdef0", "main", "20261201-10:00:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := buildVersion{Version: c.ldflags[0], Revision: c.ldflags[1], Branch: c.ldflags[2], BuildDate: c.ldflags[3]}
			v.fill(&debug.BuildInfo{Main: debug.Module{Path: "github.com/golive/golive_exporter", Version: c.main}, Settings: c.settings})
			assert.Equal(t, buildVersion{Version: c.wantVersion, Revision: c.wantRev, Branch: c.wantBranch, BuildDate: c.wantBuiltAt}, v)
		})
	}
}

// The version of the source is CHANGELOG.md's newest release.
func TestSourceVersionIsNewestRelease(t *testing.T) {
	assert.Equal(t, testutil.NewestRelease(t), sourceVersion)
}

// A plain go build of a git checkout (what go run and go install do)
// prints the commit it was built from, with no ldflags.
func TestVersionOfPlainBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	// The go command stamps VCS information only when .git is a folder;
	// in a git worktree (.git is a file) it stamps nothing.
	if st, err := os.Stat(filepath.Join(testutil.RepoRoot(t), ".git")); err != nil || !st.IsDir() {
		t.Skip("the go command stamps no VCS information outside a plain clone (.git is not a folder here)")
	}
	bin := filepath.Join(t.TempDir(), "golive_exporter")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "revision: "+strings.TrimSpace(string(head)))
	assert.Regexp(t, `^golive_exporter, version \S+ \(branch`, string(out), "a version is printed")
	assert.Regexp(t, `build date:\s+\d{8}-\d{2}:\d{2}:\d{2}`, string(out))
}
