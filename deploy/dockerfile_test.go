package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dockerfileBuild returns the shell command of the Dockerfile's RUN line
// that builds the binary, its continuation lines joined.
func dockerfileBuild(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("Dockerfile")
	require.NoError(t, err)
	var cmd []string
	in := false
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "RUN ") && strings.Contains(line, "go build") {
			in = true
			line = strings.TrimPrefix(line, "RUN ")
		}
		if !in {
			continue
		}
		cmd = append(cmd, line)
		if !strings.HasSuffix(line, "\\") {
			break
		}
	}
	require.NotEmpty(t, cmd, "a RUN ... go build line in deploy/Dockerfile")
	return strings.Join(cmd, "\n")
}

// The image's binary carries the version, revision, branch and build date
// passed as build arguments: the Dockerfile's own build command, run here
// with those arguments, prints them in --version.
func TestDockerfileSetsVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	cmd := dockerfileBuild(t)
	for _, arg := range []string{"VERSION", "REVISION", "BRANCH", "BUILD_DATE"} {
		assert.Contains(t, cmd, "${"+arg+"}", "the build uses the %s argument", arg)
	}
	out := filepath.Join(t.TempDir(), "golive_exporter")
	require.Contains(t, cmd, "/out/golive_exporter")
	cmd = strings.ReplaceAll(cmd, "/out/golive_exporter", out)
	build := exec.Command("sh", "-c", cmd)
	build.Dir = ".."
	build.Env = append(os.Environ(), "VERSION=0.9.1", "REVISION=0123456789abcdef0123456789abcdef01234567",
		"BRANCH=release-0.9", "BUILD_DATE=20261204-12:00:00", "BUILD_USER=docker")
	msg, err := build.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	version, err := exec.Command(out, "--version").Output()
	require.NoError(t, err)
	assert.Contains(t, string(version), "golive_exporter, version 0.9.1 (branch: release-0.9, revision: 0123456789abcdef0123456789abcdef01234567)")
	assert.Regexp(t, `build user:\s+docker\n`, string(version))
	assert.Regexp(t, `build date:\s+20261204-12:00:00\n`, string(version))
}
