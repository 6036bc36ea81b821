package scripts_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// goreleaserConfig is the part of .goreleaser.yaml these tests read.
type goreleaserConfig struct {
	Builds []struct {
		Env     []string `yaml:"env"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Ldflags []string `yaml:"ldflags"`
	} `yaml:"builds"`
	Archives []struct {
		Files []string `yaml:"files"`
	} `yaml:"archives"`
}

func readGoreleaser(t *testing.T) goreleaserConfig {
	t.Helper()
	raw, err := os.ReadFile("../.goreleaser.yaml")
	require.NoError(t, err)
	var c goreleaserConfig
	require.NoError(t, yaml.Unmarshal(raw, &c))
	require.Len(t, c.Builds, 1)
	require.Len(t, c.Archives, 1)
	return c
}

// versionVars are the variables a set of -X flags sets.
func versionVars(text string) []string {
	var vars []string
	for _, m := range regexp.MustCompile(`-X\s+([\w./]+)=`).FindAllStringSubmatch(text, -1) {
		vars = append(vars, m[1])
	}
	sort.Strings(vars)
	return vars
}

// A release binary says which version, commit and build it is exactly as
// one from make build does: the same version variables are set, static.
func TestReleaseBuildsAsMakeBuild(t *testing.T) {
	c := readGoreleaser(t)
	b := c.Builds[0]
	mk, err := os.ReadFile("../Makefile")
	require.NoError(t, err)
	// The Makefile names the package once, as VERSION_PKG.
	pkg := regexp.MustCompile(`(?m)^VERSION_PKG\s*:=\s*(\S+)$`).FindStringSubmatch(string(mk))
	require.NotNil(t, pkg, "Makefile's VERSION_PKG")
	want := versionVars(strings.ReplaceAll(string(mk), "$(VERSION_PKG)", pkg[1]))
	require.Len(t, want, 5, "Makefile's LDFLAGS")
	var flags string
	for _, f := range b.Ldflags {
		flags += f + "\n"
	}
	assert.Equal(t, want, versionVars(flags))
	assert.Contains(t, b.Env, "CGO_ENABLED=0")
	assert.ElementsMatch(t, []string{"linux", "darwin", "windows"}, b.Goos)
	assert.ElementsMatch(t, []string{"amd64", "arm64"}, b.Goarch)
}

// Every file an archive is to hold exists (GoReleaser skips a glob that
// matches nothing only with a warning).
func TestReleaseArchiveFilesExist(t *testing.T) {
	for _, f := range readGoreleaser(t).Archives[0].Files {
		matches, err := filepath.Glob(filepath.Join("..", f))
		require.NoError(t, err)
		if f == "deploy/examples/**/*.yml" {
			// filepath.Glob has no **: one folder level is what is there.
			matches, err = filepath.Glob("../deploy/examples/*/*.yml")
			require.NoError(t, err)
		}
		assert.NotEmpty(t, matches, "%s is in no file", f)
	}
}

// release.sh checks that every archive holds what .goreleaser.yaml packs:
// each file it names is in the script's list, and its globs of examples
// are checked through git ls-files deploy/examples/*.yml (every depth).
func TestReleaseChecksEveryArchivedFile(t *testing.T) {
	script, err := os.ReadFile("release.sh")
	require.NoError(t, err)
	list := regexp.MustCompile(`(?s)\npacked=\(([^)]*)\)`).FindSubmatch(script)
	require.NotNil(t, list, "release.sh's packed=(...) list")
	packed := strings.Fields(string(list[1]))
	for _, f := range readGoreleaser(t).Archives[0].Files {
		if strings.HasPrefix(f, "deploy/examples/") && strings.HasSuffix(f, "*.yml") {
			assert.True(t, strings.Contains(string(script), "git ls-files -- 'deploy/examples/*.yml'"),
				"release.sh checks that the archives hold %s (git ls-files -- 'deploy/examples/*.yml')", f)
			continue
		}
		assert.Contains(t, packed, f, "release.sh checks that the archives hold %s", f)
	}
}

// make release builds from a v* tag that CHANGELOG.md has a section for, and
// says what to do when either is missing (before any tool is installed).
func TestReleaseRefusesAnUntaggedCommit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	repo := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(repo, "scripts"), 0o755))
	script, err := os.ReadFile("release.sh")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(repo, "scripts", "release.sh"), script, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "CHANGELOG.md"), []byte("# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-12-04\n"), 0o644))
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "first")
	release := func() (string, error) {
		cmd := exec.Command("bash", "scripts/release.sh")
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := release()
	require.Error(t, err)
	assert.Contains(t, out, "has no v* tag")
	assert.Contains(t, out, "git tag -a vX.Y.Z")
	assert.Contains(t, out, "make release-snapshot")

	git("tag", "v0.2.0")
	out, err = release()
	require.Error(t, err)
	assert.Contains(t, out, `CHANGELOG.md has no "## [0.2.0]" section for tag v0.2.0`)
}
