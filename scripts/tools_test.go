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
