// Package scripts_test checks the build and install scripts.
package scripts_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goInstallRE is a go install of a package, with its @version if any;
// npmPackageRE the list of npm packages install-deps.sh installs.
var (
	goInstallRE  = regexp.MustCompile(`go install\s+(?:-\S+\s+)*"?([a-z0-9.\-/]+(?:@[^\s"]*)?)`)
	npmPackageRE = regexp.MustCompile(`for pin in ([^;]*);`)
	semverRE     = regexp.MustCompile(`@v\d+\.\d+\.\d+$`)
	npmPinRE     = regexp.MustCompile(`^(@[a-z0-9-]+/)?[a-z0-9.-]+@\d+\.\d+\.\d+$`)
)

// Every tool the build installs is pinned: no @latest (a new linter
// release must not change what make lint says about unchanged code), and
// each go install and npm package names an exact version.
func TestToolsArePinned(t *testing.T) {
	files := []string{"../Makefile", "../.ci/run", "../deploy/Dockerfile"}
	sh, err := filepath.Glob("*.sh")
	require.NoError(t, err)
	files = append(files, sh...)
	installs := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "@latest", f)
		// Commands only, not the comments about them.
		var lines []string
		for _, l := range strings.Split(string(raw), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "#") {
				lines = append(lines, l)
			}
		}
		text := strings.Join(lines, "\n")
		for _, m := range goInstallRE.FindAllStringSubmatch(text, -1) {
			if strings.HasPrefix(m[1], "$") || m[1] == "" {
				continue
			}
			installs++
			assert.Regexp(t, semverRE, m[1], "%s: go install %s is not pinned to a version", f, m[1])
		}
		for _, m := range npmPackageRE.FindAllStringSubmatch(text, -1) {
			for _, p := range strings.Fields(m[1]) {
				installs++
				assert.Regexp(t, npmPinRE, p, "%s: npm package %s is not pinned to a version", f, p)
			}
		}
	}
	raw, err := os.ReadFile("install-go-tools.sh")
	require.NoError(t, err)
	pins := regexp.MustCompile(`(?m)^\s+[a-z_-]+\s+([a-z0-9._\-/]+@\S+)$`).FindAllStringSubmatch(string(raw), -1)
	require.NotEmpty(t, pins)
	for _, p := range pins {
		installs++
		assert.Regexp(t, semverRE, p[1], "install-go-tools.sh pins %s", p[1])
	}
	assert.Greater(t, installs, 5, "the installs were found")
}

// A staticcheck already in the bin folder that is not the pinned one (an
// unpinned go install) is replaced; the pinned one is left alone.
func TestInstallGoToolsChecksTheVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go install")
	}
	bin := t.TempDir()
	stale := filepath.Join(bin, "staticcheck")
	require.NoError(t, os.WriteFile(stale, []byte("#!/bin/sh\necho staticcheck 2020.1 (v0.0.1-2020.1.6)\n"), 0o755))
	run := func() string {
		cmd := exec.Command("bash", "install-go-tools.sh", "staticcheck")
		cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=-buildvcs=false")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	out := run()
	assert.Contains(t, out, "installing honnef.co/go/tools/cmd/staticcheck@v0.8.2")
	info, err := exec.Command("go", "version", "-m", stale).Output()
	require.NoError(t, err, "staticcheck was replaced by a Go binary")
	assert.Regexp(t, `(?m)^\s+mod\s+honnef.co/go/tools\s+v0.8.2\s`, string(info))
	assert.Empty(t, run(), "the pinned version is kept")
}

// fakeGo is a go command for install-go-tools.sh whose go install
// pkg@version fails as behind a proxy that refuses the version list, so
// that the script takes its throwaway-module fallback. The fallback's go
// install writes its GOFLAGS, package and go.mod to $FAKE_GO_LOG.
const fakeGo = `#!/bin/sh
case "$1" in
env) [ "$2" = GOBIN ] && echo "$GOBIN"; exit 0 ;;
version) exit 1 ;;
mod) echo "module $3" >go.mod; exit 0 ;;
install)
  case "$2" in
  *@*) echo "go: $2: reading the version list: 403 Forbidden" >&2; exit 1 ;;
  esac
  { echo "GOFLAGS=$GOFLAGS"; echo "package=$2"; cat go.mod; } >"$FAKE_GO_LOG"
  printf '#!/bin/sh\n' >"$GOBIN/${2##*/}" && chmod +x "$GOBIN/${2##*/}"
  exit 0 ;;
esac
echo "fake go: unexpected $*" >&2
exit 2
`

// When go install pkg@version fails, the fallback installs the package
// from a throwaway module that requires the pinned version, with -mod=mod
// added to the caller's GOFLAGS, not in their place.
func TestInstallGoToolsFallbackKeepsGOFLAGS(t *testing.T) {
	fake, bin := t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(fake, "go"), []byte(fakeGo), 0o755))
	log := filepath.Join(t.TempDir(), "go.log")
	cmd := exec.Command("bash", "install-go-tools.sh", "staticcheck")
	cmd.Env = append(os.Environ(), "PATH="+fake+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GOBIN="+bin, "GOFLAGS=-buildvcs=false -tags=bench", "FAKE_GO_LOG="+log)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	raw, err := os.ReadFile(log)
	require.NoError(t, err, "the fallback's go install ran: %s", out)
	got := string(raw)
	assert.Contains(t, got, "package=honnef.co/go/tools/cmd/staticcheck\n")
	assert.Contains(t, got, "require honnef.co/go/tools v0.8.2\n")
	flags := strings.Fields(strings.TrimPrefix(strings.SplitN(got, "\n", 2)[0], "GOFLAGS="))
	assert.Equal(t, []string{"-buildvcs=false", "-tags=bench", "-mod=mod"}, flags, "the caller's GOFLAGS, then -mod=mod")
	assert.FileExists(t, filepath.Join(bin, "staticcheck"))
}
